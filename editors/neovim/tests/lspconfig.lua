-- Checks lua/aa_lint/lspconfig.lua against a stand-in for nvim-lspconfig
-- (lspconfig.configs and lspconfig.util.root_pattern), and lsp/aa_lint.lua.
-- Run from editors/neovim: see tests/run.sh.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local harness = dofile(here .. '/harness.lua')
local check = harness.check


package.loaded['lspconfig.configs'] = {}
package.loaded['lspconfig.util'] = {
  root_pattern = function(marker)
    return function(fname)
      local dir = vim.fn.fnamemodify(fname, ':h')
      while dir ~= '/' do
        if vim.loop.fs_stat(dir .. '/' .. marker) ~= nil then
          return dir
        end
        dir = vim.fn.fnamemodify(dir, ':h')
      end
      return nil
    end
  end,
}

check('register() succeeds', require('aa_lint.lspconfig').register() == true)
local configs = package.loaded['lspconfig.configs']
local dc = configs.aa_lint and configs.aa_lint.default_config or {}
check('cmd is aa-lint lsp', vim.deep_equal(dc.cmd, { 'aa-lint', 'lsp' }))
check('filetypes', vim.deep_equal(dc.filetypes, { 'apparmor' }))
check('settings["aa-lint"] has the contract shape', dc.settings and dc.settings['aa-lint'] ~= nil
  and vim.deep_equal(dc.settings['aa-lint'].lint, { select = {}, ignore = {} }))
check('root_dir finds the apparmor.d directory', dc.root_dir and dc.root_dir('/x/apparmor.d/abstractions/base') == '/x/apparmor.d')
check('root_dir falls back to the file directory', dc.root_dir and dc.root_dir('/x/y/z.apparmor') == '/x/y')
local new_config = { settings = { ['aa-lint'] = { includePaths = { '/p' } } }, init_options = {} }
dc.on_new_config(new_config)
check('on_new_config copies settings into init_options', vim.deep_equal(new_config.init_options.includePaths, { '/p' }))

local cfg = dofile(vim.fn.fnamemodify(here, ':h') .. '/lsp/aa_lint.lua')
check('lsp/aa_lint.lua cmd', vim.deep_equal(cfg.cmd, { 'aa-lint', 'lsp' }))
check('lsp/aa_lint.lua init_options is the settings object', cfg.init_options == cfg.settings['aa-lint'])

harness.finish()
