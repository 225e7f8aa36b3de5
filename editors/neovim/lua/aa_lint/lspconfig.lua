-- Registers `aa_lint` with nvim-lspconfig, so it can be set up like any
-- other server:
--
--   require('aa_lint.lspconfig').register()
--   require('lspconfig').aa_lint.setup({
--     settings = { ['aa-lint'] = { includePaths = { '/etc/apparmor.d' } } },
--   })
--
-- nvim-lspconfig sends `settings` through workspace/didChangeConfiguration
-- and answers workspace/configuration from it; `init_options` is sent in
-- initialize. Both default to the same object, as the VS Code extension does.

local M = {}

local default_settings = {
  includePaths = {},
  lint = { select = {}, ignore = {} },
}

function M.default_config()
  local util = require('lspconfig.util')
  return {
    cmd = { 'aa-lint', 'lsp' },
    filetypes = { 'apparmor' },
    root_dir = function(fname)
      local dir = util.root_pattern('.git')(fname)
      -- The nearest enclosing apparmor.d directory wins over .git.
      local path = fname
      while path ~= nil and path ~= '' do
        local parent = vim.fn.fnamemodify(path, ':h')
        if vim.fn.fnamemodify(parent, ':t') == 'apparmor.d' then
          return parent
        end
        if parent == path then
          break
        end
        path = parent
      end
      return dir or vim.fn.fnamemodify(fname, ':h')
    end,
    single_file_support = true,
    init_options = vim.deepcopy(default_settings),
    settings = { ['aa-lint'] = vim.deepcopy(default_settings) },
    on_new_config = function(new_config)
      -- Keep initializationOptions in step with the user's settings.
      local s = new_config.settings and new_config.settings['aa-lint']
      if s ~= nil then
        new_config.init_options = vim.tbl_deep_extend('force', new_config.init_options or {}, s)
      end
    end,
  }
end

--- Adds `aa_lint` to lspconfig's configs unless it is already there.
function M.register()
  local ok, configs = pcall(require, 'lspconfig.configs')
  if not ok then
    vim.notify('aa-lint: nvim-lspconfig is not installed', vim.log.levels.ERROR)
    return false
  end
  if configs.aa_lint == nil then
    configs.aa_lint = {
      default_config = M.default_config(),
      docs = {
        description = 'aa-lint: a language server for AppArmor profiles (`aa-lint lsp`).',
      },
    }
  end
  return true
end

return M
