-- Log hints through a real Neovim client against the real server: a log
-- file in the settings, a profile opened, one hint per profile with the
-- logged events it does not allow, the "add all" code action applied, and
-- the hint gone after the edit. The policy and the log are the CLI's
-- `aa-lint suggest` fixture (fixtures/cli/suggest/), without the one exec
-- record that is a question (questions stay until the author decides).
-- Run from editors/neovim with $AA_LINT_BIN set (crates/aa-lsp/tests/neovim.rs).

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local harness = dofile(here .. '/harness.lua')
local check = harness.check
local repo = vim.fn.fnamemodify(here, ':h:h:h')
local tmp = vim.fn.tempname()
local root = tmp .. '/apparmor.d'
vim.fn.mkdir(root, 'p')
local file = root .. '/pinger'
vim.fn.writefile(vim.fn.readfile(repo .. '/fixtures/cli/suggest/policy/pinger'), file)
local log = {}
for _, line in ipairs(vim.fn.readfile(repo .. '/fixtures/cli/suggest/audit.log')) do
  if not line:find('/usr/bin/curl', 1, true) then
    table.insert(log, line)
  end
end
vim.fn.writefile(log, tmp .. '/audit.log')

vim.cmd('filetype on')
vim.cmd('runtime! ftdetect/apparmor.vim')
require('aa_lint').setup({
  cmd = { vim.env.AA_LINT_BIN, 'lsp' },
  settings = {
    baseDir = root,
    suggest = { logFile = tmp .. '/audit.log', featuresFile = repo .. '/crates/aa-dfa/tests/features/default' },
  },
})

local function hints(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:match('logged events? not allowed') then
      out[d.lnum] = d
    end
  end
  return out
end

local started = vim.loop.hrtime()
vim.cmd('edit ' .. file)
local bufnr = vim.api.nvim_get_current_buf()
local found = {}
vim.wait(30000, function()
  found = hints(bufnr)
  return found[3] ~= nil and found[9] ~= nil
end, 20)
io.stdout:write(string.format('info hints after %d ms (server start, log read, first analysis)\n',
  (vim.loop.hrtime() - started) / 1e6))
check('a hint at the header of pinger', found[3] ~= nil
  and found[3].message:match('^9 logged events not allowed: 7 rules to add, 1 denied on purpose') ~= nil
  and found[3].severity == vim.diagnostic.severity.INFO, vim.inspect(vim.diagnostic.get(bufnr)))
check('a hint at the header of its child profile', found[9] ~= nil
  and found[9].message:match('^1 logged event not allowed: 1 rule to add') ~= nil, vim.inspect(found))

local function actions(line)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = line, character = 2 }, ['end'] = { line = line, character = 2 } },
    context = { diagnostics = {} },
  }
  local out = {}
  for _, r in pairs(vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000) or {}) do
    for _, action in ipairs(r.result or {}) do
      table.insert(out, action)
    end
  end
  return out
end

local titles = {}
local all = nil
for _, action in ipairs(actions(3)) do
  table.insert(titles, action.title)
  if action.title:match('^Add the 7 logged rules to `pinger`') then
    all = action
  end
end
check('one action per rule and one for all', #titles == 8 and all ~= nil
  and vim.tbl_contains(titles, 'Add `capability net_admin,` (log line 8)'), vim.inspect(titles))
if all ~= nil then
  vim.lsp.util.apply_workspace_edit(all.edit, 'utf-16')
end
local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
check('the rules are inserted before the closing brace', lines[17] == '  capability net_admin,'
  and lines[19] == '  network create inet raw,' and lines[20] == '}', vim.inspect(lines))

-- After the edit the profile allows every logged event but the denied one:
-- pinger's hint goes; the child's stays until its rule is added too.
vim.wait(20000, function()
  found = hints(bufnr)
  return found[3] == nil and found[9] ~= nil
end, 20)
check('pinger\'s hint is gone after the edit', found[3] == nil and found[9] ~= nil, vim.inspect(found))

local single = nil
for _, action in ipairs(actions(9)) do
  single = single or action
end
check('the child\'s one action', single ~= nil and single.title:match('^Add `owner @{run}/user/@{uid}/pinger.sock w,`') ~= nil,
  vim.inspect(single))
if single ~= nil then
  vim.lsp.util.apply_workspace_edit(single.edit, 'utf-16')
end
vim.wait(20000, function()
  return next(hints(bufnr)) == nil
end, 20)
check('no hint left', next(hints(bufnr)) == nil, vim.inspect(vim.diagnostic.get(bufnr)))

-- Once the log is read: a profile opened gets its hint (timed, not asserted).
local copy = root .. '/pinger.copy'
vim.fn.writefile(vim.list_extend({ '# a copy' }, vim.fn.readfile(file)), copy)
local opened = vim.loop.hrtime()
vim.cmd('edit ' .. copy)
local copy_buf = vim.api.nvim_get_current_buf()
vim.wait(20000, function()
  return hints(copy_buf)[4] ~= nil
end, 1)
io.stdout:write(string.format('info hint of a profile opened after the log was read: %.1f ms\n',
  (vim.loop.hrtime() - opened) / 1e6))
check('the opened copy gets its hint', hints(copy_buf)[4] ~= nil, vim.inspect(vim.diagnostic.get(copy_buf)))

harness.finish_lsp(tmp)
