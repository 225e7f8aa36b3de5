-- End-to-end test of lua/aa_lint against the real server (`aa-lint lsp`).
-- The binary comes from $AA_LINT_BIN (crates/aa-lsp/tests/neovim.rs sets it).
-- Run from editors/neovim. Exits non-zero on failure.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local harness = dofile(here .. '/harness.lua')
local check = harness.check
local bin = vim.env.AA_LINT_BIN
local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp .. '/apparmor.d/abstractions', 'p')
vim.fn.mkdir(tmp .. '/apparmor.d/tunables', 'p')
vim.fn.writefile({ 'capability chown,' }, tmp .. '/apparmor.d/abstractions/base')
vim.fn.writefile({ '@{HOME}=/home/*/ /root/' }, tmp .. '/apparmor.d/tunables/global')

vim.cmd('filetype on')
vim.cmd('runtime! ftdetect/apparmor.vim')


local aa = require('aa_lint')
aa.setup({
  cmd = { bin, 'lsp' },
  settings = { includePaths = {}, baseDir = tmp .. '/apparmor.d' },
})

local file = tmp .. '/apparmor.d/usr.bin.foo'
vim.fn.writefile({
  'include <tunables/global>',
  'profile foo {',
  '  include <abstractions/base>',
  '  capability net_admn,',
  '  @{HOME}/x r,',
  '}',
}, file)
vim.cmd('edit ' .. file)
local bufnr = vim.api.nvim_get_current_buf()
check('filetype', vim.bo.filetype == 'apparmor', vim.bo.filetype)

local diags = {}
vim.wait(20000, function()
  diags = vim.diagnostic.get(bufnr)
  return #diags > 0
end, 50)
check('diagnostics from the real server', #diags == 1 and diags[1].message:match('net_admn') ~= nil and diags[1].lnum == 3,
  vim.inspect(diags))

local function request(method, line, col)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = col } }
  local results = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
  for _, r in pairs(results or {}) do
    if r.result ~= nil then
      return r.result
    end
  end
  return nil
end

local hover = request('textDocument/hover', 4, 4)
check('hover shows the variable value', hover ~= nil and hover.contents.value:match('/home/%*/ /root/') ~= nil,
  vim.inspect(hover))

local completion = request('textDocument/completion', 3, 15)
local labels = {}
for _, item in ipairs((completion and (completion.items or completion)) or {}) do
  labels[item.label] = true
end
check('completion offers capabilities', labels['net_admin'] == true)

local def = request('textDocument/definition', 2, 14)
local target = def and (def[1] or def)
check('definition of an include', target ~= nil and target.uri == vim.uri_from_fname(tmp .. '/apparmor.d/abstractions/base'),
  vim.inspect(def))

-- An edit through the editor: fix the capability and watch the diagnostic go.
vim.api.nvim_buf_set_text(bufnr, 3, 17, 3, 21, { 'admin' })
vim.wait(20000, function()
  return #vim.diagnostic.get(bufnr) == 0
end, 50)
check('diagnostics follow an edit', #vim.diagnostic.get(bufnr) == 0, vim.inspect(vim.diagnostic.get(bufnr)))

-- Formatting through the editor's own command (Neovim 0.7's formatting_sync).
vim.api.nvim_buf_set_lines(bufnr, 4, 5, false, { '        @{HOME}/x r,' })
vim.lsp.buf.formatting_sync(nil, 10000)
local formatted = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
check('formatting re-indents the rule', formatted[5] == '  @{HOME}/x r,', vim.inspect(formatted))

-- A lint finding and its quick fix: repeat a rule, apply the preferred action.
vim.api.nvim_buf_set_lines(bufnr, 5, 5, false, { '  @{HOME}/x r,' })
local dup = nil
vim.wait(20000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:match('%[duplicate%-rule%]') then
      dup = d
    end
  end
  return dup ~= nil
end, 50)
local applied = false
if dup ~= nil then
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = dup.lnum, character = dup.col }, ['end'] = { line = dup.lnum, character = dup.col } },
    context = { diagnostics = {} },
  }
  local results = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
  for _, r in pairs(results or {}) do
    for _, action in ipairs(r.result or {}) do
      if action.isPreferred and action.edit and not applied then
        vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
        applied = true
      end
    end
  end
end
local fixed = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
check('code action removes the repeated rule', dup ~= nil and applied and #fixed == 6 and fixed[5] == '  @{HOME}/x r,',
  vim.inspect({ dup = dup, lines = fixed }))

harness.finish_lsp(tmp)
