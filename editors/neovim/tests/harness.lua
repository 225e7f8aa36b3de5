-- What the Neovim tests share: the plugin on the runtimepath, a `check`
-- that prints one line per assertion, and `finish`, which prints the
-- counts, runs the test's clean-up and exits non-zero on any failure
-- (`finish_lsp` for the tests that start the server).
-- Load with dofile(); not a test itself (tests/run.sh does not run it).

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local M = { plugin = vim.fn.fnamemodify(here, ':h'), passed = 0, failed = 0 }

vim.opt.runtimepath:prepend(M.plugin)

function M.check(name, ok, detail)
  if ok then
    M.passed = M.passed + 1
    io.stdout:write('ok   ' .. name .. '\n')
  else
    M.failed = M.failed + 1
    io.stdout:write('FAIL ' .. name .. (detail and (': ' .. detail) or '') .. '\n')
  end
end

function M.finish(cleanup)
  io.stdout:write(string.format('%d passed, %d failed\n', M.passed, M.failed))
  if cleanup then
    cleanup()
  end
  if M.failed > 0 then
    vim.cmd('cquit 1')
  else
    vim.cmd('qall!')
  end
end

-- `finish` for the tests that start the server: stops every LSP client
-- and deletes the test's scratch directory.
function M.finish_lsp(scratch)
  M.finish(function()
    for _, c in pairs(vim.lsp.get_active_clients()) do
      c.stop()
    end
    vim.fn.delete(scratch, 'rf')
  end)
end

return M
