-- End-to-end test of lua/aa_lint's wiring (filetypes, root, settings,
-- commands) against the real server, `$AA_LINT_BIN lsp`. Each setting is
-- checked by what the server does with it, not by what the client sent.
-- Run from editors/neovim: see tests/run.sh. Exits non-zero on failure.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local harness = dofile(here .. '/harness.lua')
local check = harness.check
local bin = vim.env.AA_LINT_BIN
if bin == nil or bin == '' then
  io.stdout:write('FAIL AA_LINT_BIN is not set (the aa-lint binary to test)\n')
  vim.cmd('cquit 1')
end

local tmp = vim.fn.tempname()
local root = tmp .. '/apparmor.d'
-- The base directory has tunables but no abstractions; the only copy of
-- abstractions/extra is in an include directory given by the settings.
vim.fn.mkdir(root .. '/tunables', 'p')
vim.fn.mkdir(root .. '/abstractions', 'p')
vim.fn.mkdir(tmp .. '/extra/abstractions', 'p')
vim.fn.writefile({ '@{HOME}=/home/*/ /root/' }, root .. '/tunables/global')
vim.fn.writefile({ 'capability chown,' }, tmp .. '/extra/abstractions/extra')

vim.cmd('filetype on')
vim.cmd('runtime! ftdetect/apparmor.vim')

local aa = require('aa_lint')
aa.setup({
  cmd = { bin, 'lsp' },
  settings = {
    includePaths = { tmp .. '/extra' },
    baseDir = root,
    lint = { ignore = { 'duplicate-rule' } },
  },
})

-- Filetype detection.
for _, name in ipairs({ 'apparmor.d/usr.bin.bar', 'apparmor.d/usr.bin.man', 'apparmor.d/abstractions/base', 'x.apparmor' }) do
  vim.cmd('edit ' .. tmp .. '/' .. name)
  check('filetype of ' .. name, vim.bo.filetype == 'apparmor', vim.bo.filetype)
end

-- A profile with one error (an unknown capability), a repeated rule (whose
-- lint the settings ignore) and an include only the include path resolves.
local file = root .. '/usr.bin.foo'
vim.fn.writefile({
  'include <tunables/global>',
  'profile foo {',
  '  include <abstractions/extra>',
  '  capability net_admn,',
  '  @{HOME}/x r,',
  '  @{HOME}/x r,',
  '}',
}, file)
vim.cmd('edit ' .. file)
local bufnr = vim.api.nvim_get_current_buf()

local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.message:match('%[([%w%-]+)%]')
    if code ~= nil then
      found[code] = true
    end
    found[d.lnum .. ':' .. d.message] = true
  end
  return found
end

local diags = {}
vim.wait(20000, function()
  diags = vim.diagnostic.get(bufnr)
  return #diags > 0
end, 50)
local client = nil
for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
  if c.name == 'aa-lint' then
    client = c
  end
end
check('the real server attached', client ~= nil)
check('root is the apparmor.d directory', client ~= nil and client.config.root_dir == root,
  client and tostring(client.config.root_dir))
check('exactly the unknown capability is reported', #diags == 1 and diags[1].lnum == 3 and diags[1].message:match('net_admn') ~= nil,
  vim.inspect(diags))
check('includePaths reach the server (the include resolves)', codes()['unresolved-include'] == nil, vim.inspect(diags))
check('lint.ignore reaches the server (duplicate-rule is silent)', codes()['duplicate-rule'] == nil, vim.inspect(diags))

-- The syntax tree command: the server's own tree of this buffer.
aa.show_syntax_tree()
local tree_lines = nil
vim.wait(10000, function()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):match('^aa%-lint%-syntax%-tree://') then
      tree_lines = vim.api.nvim_buf_get_lines(b, 0, -1, false)
      return #tree_lines > 1
    end
  end
  return false
end, 50)
local size = #table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') + 1
check('syntax tree buffer', tree_lines ~= nil and tree_lines[1] == ('SOURCE_FILE@0..' .. size), tree_lines and tree_lines[1])
vim.cmd('buffer ' .. bufnr)

-- New settings at run time: select every lint and ignore another one (lists
-- merge by index, so this replaces 'duplicate-rule'). The repeated rule and
-- the missing abi (an opt-in style lint) now show.
aa.update_settings({ lint = { select = { 'all' }, ignore = { 'empty-profile' } } })
vim.wait(20000, function()
  local c = codes()
  return c['duplicate-rule'] ~= nil and c['missing-abi'] ~= nil
end, 50)
local after = codes()
check('update_settings reaches the server (duplicate-rule and missing-abi appear)',
  after['duplicate-rule'] ~= nil and after['missing-abi'] ~= nil, vim.inspect(vim.diagnostic.get(bufnr)))

harness.finish_lsp(tmp)
