-- End-to-end test of lua/aa_lint against editors/tests/fake-aa-lint.
-- Run from editors/neovim: see tests/run.sh. Exits non-zero on failure.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local harness = dofile(here .. '/harness.lua')
local check = harness.check
local plugin = harness.plugin
local fake = vim.fn.fnamemodify(plugin, ':h') .. '/tests/fake-aa-lint'
local tmp = vim.fn.tempname()
local log = tmp .. '/server.log'
vim.fn.mkdir(tmp .. '/apparmor.d/abstractions', 'p')
vim.env.AA_LINT_FAKE_LOG = log

vim.cmd('filetype on')
vim.cmd('runtime! ftdetect/apparmor.vim')


local function read_log()
  local msgs = {}
  local f = io.open(log, 'r')
  if f == nil then
    return msgs
  end
  for line in f:lines() do
    table.insert(msgs, vim.fn.json_decode(line))
  end
  f:close()
  return msgs
end

local function find(method)
  for _, m in ipairs(read_log()) do
    if m.method == method then
      return m
    end
  end
  return nil
end

local aa = require('aa_lint')
aa.setup({
  cmd = { fake, 'lsp' },
  settings = { includePaths = { '/etc/apparmor.d' }, lint = { ignore = { 'fake-lint' } } },
})

-- Filetype detection.
for _, name in ipairs({ 'apparmor.d/usr.bin.foo', 'apparmor.d/usr.bin.man', 'apparmor.d/abstractions/base', 'x.apparmor' }) do
  vim.cmd('edit ' .. tmp .. '/' .. name)
  check('filetype of ' .. name, vim.bo.filetype == 'apparmor', vim.bo.filetype)
end

vim.cmd('edit ' .. tmp .. '/apparmor.d/usr.bin.foo')
local bufnr = vim.api.nvim_get_current_buf()
vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, { 'profile foo {', '}' })
vim.cmd('silent write')

local init = nil
vim.wait(5000, function()
  init = find('initialize')
  return init ~= nil and find('textDocument/didOpen') ~= nil
end, 50)
check('server started with initialize', init ~= nil)
if init ~= nil then
  local opts = init.params.initializationOptions or {}
  check('initializationOptions.includePaths', vim.deep_equal(opts.includePaths, { '/etc/apparmor.d' }), vim.inspect(opts.includePaths))
  check('initializationOptions.lint.ignore', opts.lint ~= nil and vim.deep_equal(opts.lint.ignore, { 'fake-lint' }))
  check('initializationOptions.baseDir is null', opts.baseDir == vim.NIL, vim.inspect(opts.baseDir))
  check('root is the apparmor.d directory', init.params.rootUri == vim.uri_from_fname(tmp .. '/apparmor.d'), init.params.rootUri)
end

local open = find('textDocument/didOpen')
check('didOpen languageId is apparmor', open ~= nil and open.params.textDocument.languageId == 'apparmor')

local change = find('workspace/didChangeConfiguration')
check(
  'didChangeConfiguration carries settings["aa-lint"]',
  change ~= nil and change.params.settings['aa-lint'] ~= nil
    and vim.deep_equal(change.params.settings['aa-lint'].includePaths, { '/etc/apparmor.d' })
)

local config_answer = nil
vim.wait(5000, function()
  for _, m in ipairs(read_log()) do
    if m.id == 'config-1' and m.method == nil then
      config_answer = m
      return true
    end
  end
  return false
end, 50)
check(
  'workspace/configuration answers section aa-lint',
  config_answer ~= nil and type(config_answer.result) == 'table' and config_answer.result[1] ~= nil
    and vim.deep_equal(config_answer.result[1].includePaths, { '/etc/apparmor.d' }),
  config_answer and vim.inspect(config_answer.result)
)

local diags = {}
vim.wait(5000, function()
  diags = vim.diagnostic.get(bufnr)
  return #diags > 0
end, 50)
check('diagnostics are shown', #diags == 1 and diags[1].message == 'fake warning from fake-aa-lint')

aa.show_syntax_tree()
local tree_lines = nil
vim.wait(5000, function()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):match('^aa%-lint%-syntax%-tree://') then
      tree_lines = vim.api.nvim_buf_get_lines(b, 0, -1, false)
      return true
    end
  end
  return false
end, 50)
check('syntax tree buffer', tree_lines ~= nil and tree_lines[1] == 'SOURCE_FILE@0..16', tree_lines and tree_lines[1])

aa.update_settings({ lint = { select = { 'all' } } })
vim.wait(2000, function()
  local n = 0
  for _, m in ipairs(read_log()) do
    if m.method == 'workspace/didChangeConfiguration' then
      n = n + 1
    end
  end
  return n >= 2
end, 50)
local last = nil
for _, m in ipairs(read_log()) do
  if m.method == 'workspace/didChangeConfiguration' then
    last = m
  end
end
check('update_settings pushes the new settings', last ~= nil and vim.deep_equal(last.params.settings['aa-lint'].lint.select, { 'all' }))

harness.finish(function()
  vim.fn.delete(tmp, 'rf')
end)
