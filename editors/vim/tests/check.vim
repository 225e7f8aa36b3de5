" Headless checks for editors/vim: run tests/run.sh.
" Prints one line per check and 'N passed, N failed'; exits non-zero on failure.
let s:passed = 0
let s:failed = 0
let s:out = []
function! s:check(name, ok) abort
  if a:ok
    let s:passed += 1
    call add(s:out, 'ok   ' . a:name)
  else
    let s:failed += 1
    call add(s:out, 'FAIL ' . a:name)
  endif
endfunction

execute 'set rtp^=' . fnameescape(expand('<sfile>:p:h:h'))
filetype on
runtime! ftdetect/apparmor.vim
runtime plugin/aa_lint.vim

call add(s:out, 'editors/vim checks')
call s:check('plugin loaded', exists('g:loaded_aa_lint'))
call s:check('default baseDir is null', AaLintSettings().baseDir is v:null)
let g:aa_lint_settings = {'includePaths': ['/etc/apparmor.d'], 'lint': {'ignore': ['x']}}
call s:check('user lint.ignore', AaLintSettings().lint.ignore == ['x'])
call s:check('default lint.select kept', AaLintSettings().lint.select == [])
call s:check('user includePaths', AaLintSettings().includePaths == ['/etc/apparmor.d'])
call s:check('root is apparmor.d', AaLintRoot('/tmp/q/apparmor.d/abstractions/base') ==# '/tmp/q/apparmor.d')
call s:check('root falls back to the directory', AaLintRoot('/tmp/q/x.apparmor') ==# '/tmp/q')

for s:f in ['/tmp/q/apparmor.d/usr.bin.foo', '/tmp/q/apparmor.d/abstractions/base', '/tmp/q/apparmor.d/tunables/global', '/tmp/q/x.apparmor', '/etc/apparmor.d/usr.sbin.x', '/tmp/q/apparmor.d/usr.bin.man']
  execute 'silent edit ' . fnameescape(s:f)
  call s:check('filetype of ' . s:f, &filetype ==# 'apparmor')
endfor

execute 'silent edit ' . fnameescape('/tmp/q/apparmor.d/README.md')
call s:check('README.md in apparmor.d stays markdown', &filetype ==# 'markdown')

call add(s:out, printf('%d passed, %d failed', s:passed, s:failed))
call writefile(s:out, $AA_LINT_VIM_OUT)
if s:failed > 0
  cquit
endif
qall!
