-- Call hierarchy through a real Neovim client against the real server:
-- profiles are the items, exec transitions the calls. The caller is in a
-- file that is not open (the server finds it by indexing the workspace).
-- Run from editors/neovim with $AA_LINT_BIN set (crates/aa-lsp/tests/neovim.rs).

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local harness = dofile(here .. '/harness.lua')
local check = harness.check
local tmp = vim.fn.tempname()
local root = tmp .. '/apparmor.d'
vim.fn.mkdir(root, 'p')
vim.fn.writefile({
  'profile launcher /usr/bin/launcher {',
  '  /usr/bin/app px,',
  '}',
}, root .. '/usr.bin.launcher')
local file = root .. '/usr.bin.app'
vim.fn.writefile({
  'profile app /usr/bin/app {',
  '  /usr/bin/helper cx -> helper,',
  '  profile helper {',
  '  }',
  '}',
}, file)

vim.cmd('filetype on')
vim.cmd('runtime! ftdetect/apparmor.vim')
require('aa_lint').setup({ cmd = { vim.env.AA_LINT_BIN, 'lsp' }, settings = { baseDir = root } })
vim.cmd('edit ' .. file)
local bufnr = vim.api.nvim_get_current_buf()
vim.wait(20000, function()
  return #vim.lsp.buf_get_clients(bufnr) > 0
end, 50)

local function request(method, params)
  local results = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
  for _, r in pairs(results or {}) do
    if r.result ~= nil then
      return r.result
    end
  end
  return nil
end

local items = nil
vim.wait(20000, function()
  items = request('textDocument/prepareCallHierarchy',
    { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = 0, character = 9 } })
  return items ~= nil and #items > 0
end, 100)
check('prepareCallHierarchy names the profile', items ~= nil and items[1].name == 'app', vim.inspect(items))

local function names(calls, side)
  local out = {}
  for _, c in ipairs(calls or {}) do
    table.insert(out, c[side].name)
  end
  table.sort(out)
  return table.concat(out, ',')
end

local outgoing = items and request('callHierarchy/outgoingCalls', { item = items[1] })
check('outgoing calls: the child profile the cx rule enters', names(outgoing, 'to') == 'app//helper',
  vim.inspect(outgoing))
check('outgoing call ranges are the rule line', outgoing ~= nil and outgoing[1] ~= nil
  and outgoing[1].fromRanges[1].start.line == 1, vim.inspect(outgoing))

-- The launcher's file is not open: the workspace index must find it.
local incoming = nil
vim.wait(20000, function()
  incoming = items and request('callHierarchy/incomingCalls', { item = items[1] })
  return names(incoming, 'from') == 'launcher'
end, 200)
check('incoming calls: the profile whose px rule runs it', names(incoming, 'from') == 'launcher', vim.inspect(incoming))
check('incoming call is in the launcher file', incoming ~= nil and incoming[1] ~= nil
  and incoming[1].from.uri == vim.uri_from_fname(root .. '/usr.bin.launcher')
  and incoming[1].fromRanges[1].start.line == 1, vim.inspect(incoming))

harness.finish_lsp(tmp)
