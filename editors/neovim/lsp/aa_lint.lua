-- Neovim 0.11+ server config: put `editors/neovim` on 'runtimepath' (or copy
-- this file to ~/.config/nvim/lsp/aa_lint.lua), then:
--
--   vim.lsp.enable('aa_lint')
--
-- Override anything with vim.lsp.config('aa_lint', { ... }).

local settings = {
  includePaths = {},
  baseDir = vim.NIL,
  lint = { select = {}, ignore = {} },
}

return {
  cmd = { 'aa-lint', 'lsp' },
  filetypes = { 'apparmor' },
  root_markers = { 'apparmor.d', '.git' },
  init_options = settings,
  settings = { ['aa-lint'] = settings },
}
