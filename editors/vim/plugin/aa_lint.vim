" aa-lint for Vim: registers `aa-lint lsp` with whichever LSP plugin is
" installed: vim-lsp (prabirshrestha/vim-lsp) or yegappan/lsp (Vim 9).
"
" Settings (set them before this file is sourced):
"   let g:aa_lint_cmd = ['aa-lint', 'lsp']
"   let g:aa_lint_settings = {'includePaths': ['/etc/apparmor.d'],
"         \ 'baseDir': v:null, 'lint': {'select': [], 'ignore': []}}

if exists('g:loaded_aa_lint')
  finish
endif
let g:loaded_aa_lint = 1

let g:aa_lint_cmd = get(g:, 'aa_lint_cmd', ['aa-lint', 'lsp'])

" The object the server receives as initializationOptions and as
" settings["aa-lint"]; the same shape every aa-lint editor config sends.
function! AaLintSettings() abort
  let l:s = {'includePaths': [], 'baseDir': v:null, 'lint': {'select': [], 'ignore': []}}
  let l:user = get(g:, 'aa_lint_settings', {})
  for [l:k, l:v] in items(l:user)
    if l:k ==# 'lint' && type(l:v) == v:t_dict
      call extend(l:s.lint, l:v, 'force')
    else
      let l:s[l:k] = l:v
    endif
  endfor
  return l:s
endfunction

" The nearest enclosing apparmor.d directory, else the file's directory.
function! AaLintRoot(path) abort
  let l:dir = fnamemodify(a:path, ':p:h')
  while 1
    if fnamemodify(l:dir, ':t') ==# 'apparmor.d'
      return l:dir
    endif
    let l:parent = fnamemodify(l:dir, ':h')
    if l:parent ==# l:dir
      return fnamemodify(a:path, ':p:h')
    endif
    let l:dir = l:parent
  endwhile
endfunction

function! s:register_vim_lsp() abort
  if !executable(g:aa_lint_cmd[0])
    return
  endif
  call lsp#register_server({
        \ 'name': 'aa-lint',
        \ 'cmd': {server_info -> g:aa_lint_cmd},
        \ 'allowlist': ['apparmor'],
        \ 'root_uri': {server_info -> lsp#utils#path_to_uri(AaLintRoot(lsp#utils#get_buffer_path()))},
        \ 'initialization_options': AaLintSettings(),
        \ 'workspace_config': {'aa-lint': AaLintSettings()},
        \ })
endfunction

function! s:register_yegappan_lsp() abort
  if !executable(g:aa_lint_cmd[0])
    return
  endif
  call LspAddServer([{
        \ 'name': 'aa-lint',
        \ 'filetype': ['apparmor'],
        \ 'path': exepath(g:aa_lint_cmd[0]),
        \ 'args': g:aa_lint_cmd[1:],
        \ 'initializationOptions': AaLintSettings(),
        \ 'workspaceConfig': {'aa-lint': AaLintSettings()},
        \ }])
endfunction

" Shows the server's syntax tree (aa/syntaxTree) in a scratch split.
" Needs vim-lsp.
function! s:show_tree(data) abort
  if lsp#client#is_error(a:data['response'])
    echoerr 'aa-lint: aa/syntaxTree failed: ' . string(a:data['response'])
    return
  endif
  let l:result = get(a:data['response'], 'result', {})
  if type(l:result) != v:t_dict || !has_key(l:result, 'tree')
    echoerr 'aa-lint: aa/syntaxTree returned no tree'
    return
  endif
  botright vnew
  setlocal buftype=nofile bufhidden=wipe noswapfile
  call setline(1, split(l:result.tree, "\n"))
  setlocal nomodifiable
endfunction

function! AaLintSyntaxTree() abort
  if !exists('*lsp#send_request')
    echoerr 'aa-lint: :AaLintSyntaxTree needs vim-lsp'
    return
  endif
  call lsp#send_request('aa-lint', {
        \ 'method': 'aa/syntaxTree',
        \ 'params': {'textDocument': lsp#get_text_document_identifier()},
        \ 'on_notification': function('s:show_tree'),
        \ })
endfunction

command! AaLintSyntaxTree call AaLintSyntaxTree()

augroup aa_lint
  autocmd!
  " vim-lsp
  autocmd User lsp_setup call s:register_vim_lsp()
  " yegappan/lsp
  autocmd User LspSetup call s:register_yegappan_lsp()
augroup END
