" Filetype detection for AppArmor profiles, for Neovim and Vim.
"
" Vim and Neovim know /etc/apparmor.d/*, but only as a last resort: a
" profile named after its binary (usr.bin.man, usr.sbin.foo.x) is taken
" for whatever its "extension" says. Every file in an apparmor.d tree is
" AppArmor policy, so this sets the filetype outright there, for trees
" anywhere (a checkout of profiles too), their abstractions/ and tunables/,
" and *.apparmor files. README and Markdown files are left alone.

function! s:AaLintDetect() abort
  let l:name = expand('<afile>:t')
  if l:name =~? '^README' || l:name =~? '\.md$'
    return
  endif
  set filetype=apparmor
endfunction

augroup aa_lint_ftdetect
  autocmd!
  autocmd BufNewFile,BufRead *.apparmor setfiletype apparmor
  autocmd BufNewFile,BufRead /etc/apparmor.d/*,*/apparmor.d/* call s:AaLintDetect()
augroup END
