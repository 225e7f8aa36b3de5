-- aa-lint for Neovim: starts `aa-lint lsp` for `apparmor` buffers.
--
-- Works on Neovim 0.7 (vim.lsp.start_client + vim.lsp.buf_attach_client)
-- and on newer versions (vim.lsp.start). No plugin is required.
--
--   require('aa_lint').setup({
--     cmd = { 'aa-lint', 'lsp' },
--     settings = { includePaths = { '/etc/apparmor.d' }, lint = { ignore = {} } },
--   })

local M = {}

local uv = vim.loop

-- Neovim 0.11 made client methods take `self` (client:request(...));
-- 0.7 to 0.10 use plain functions (client.request(...)).
local has_method_calls = vim.fn.has('nvim-0.11') == 1

local function client_request(client, method, params, handler, bufnr)
  if has_method_calls then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function client_notify(client, method, params)
  if has_method_calls then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

local function client_stop(client)
  if has_method_calls then
    return client:stop()
  end
  return client.stop()
end

--- Our clients, optionally only those attached to `bufnr`.
local function our_clients(bufnr)
  local found = {}
  local all
  if vim.lsp.get_clients ~= nil then
    all = vim.lsp.get_clients({ bufnr = bufnr })
  elseif bufnr ~= nil then
    all = vim.lsp.buf_get_clients(bufnr)
  else
    all = vim.lsp.get_active_clients()
  end
  for _, client in pairs(all) do
    if client.name == M.config.name then
      table.insert(found, client)
    end
  end
  return found
end

--- What the server receives as initializationOptions and as
--- settings["aa-lint"]; the same shape as the VS Code extension sends.
--- baseDir is JSON null (vim.NIL) unless set; it is filled in after
--- merging because vim.deepcopy cannot copy vim.NIL on Neovim 0.7.
local function default_settings()
  return {
    includePaths = {},
    lint = { select = {}, ignore = {} },
  }
end

M.defaults = {
  name = 'aa-lint',
  cmd = { 'aa-lint', 'lsp' },
  filetypes = { 'apparmor' },
  -- The first directory upward that contains one of these is the root.
  root_markers = { 'apparmor.d', '.git' },
  settings = {},
  on_attach = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(M.defaults)

--- client ids by root directory, for Neovim versions without vim.lsp.start
local clients_by_root = {}

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == 'directory'
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ':h')
end

--- The root directory for a file: the nearest `apparmor.d` directory that
--- contains it, else the nearest directory holding a root marker, else the
--- file's own directory.
function M.find_root(fname, markers)
  markers = markers or M.config.root_markers
  local dir = dirname(fname)
  local prev = nil
  while dir ~= prev do
    if vim.fn.fnamemodify(dir, ':t') == 'apparmor.d' then
      return dir
    end
    for _, marker in ipairs(markers) do
      if marker ~= 'apparmor.d' and (uv.fs_stat(dir .. '/' .. marker) ~= nil) then
        return dir
      end
      if marker == 'apparmor.d' and is_dir(dir .. '/apparmor.d') then
        return dir .. '/apparmor.d'
      end
    end
    prev = dir
    dir = dirname(dir)
  end
  return dirname(fname)
end

--- The settings object sent to the server.
function M.server_settings()
  local settings = vim.tbl_deep_extend('force', default_settings(), M.config.settings or {})
  if settings.baseDir == nil then
    settings.baseDir = vim.NIL
  end
  return settings
end

local function client_config(root_dir)
  local settings = M.server_settings()
  return {
    name = M.config.name,
    cmd = M.config.cmd,
    root_dir = root_dir,
    workspace_folders = {
      { uri = vim.uri_from_fname(root_dir), name = root_dir },
    },
    init_options = settings,
    settings = { ['aa-lint'] = settings },
    capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = M.config.on_attach,
    on_init = function(client)
      -- Push the settings once more, as nvim-lspconfig does, so servers
      -- that only read workspace/didChangeConfiguration see them too.
      client_notify(client, 'workspace/didChangeConfiguration', { settings = client.config.settings })
      return true
    end,
    on_exit = function()
      clients_by_root[root_dir] = nil
    end,
  }
end

local function executable_or_warn()
  local exe = M.config.cmd[1]
  if vim.fn.executable(exe) == 1 then
    return true
  end
  if not M._warned then
    M._warned = true
    vim.notify(
      string.format('aa-lint: "%s" is not executable; install aa-lint or set cmd in require("aa_lint").setup()', exe),
      vim.log.levels.ERROR
    )
  end
  return false
end

--- Starts (or reuses) a client for `bufnr` and attaches it.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not executable_or_warn() then
    return nil
  end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  local root_dir = fname ~= '' and M.find_root(fname) or vim.fn.getcwd()
  local config = client_config(root_dir)

  if vim.lsp.start ~= nil then
    return vim.lsp.start(config, { bufnr = bufnr })
  end

  local id = clients_by_root[root_dir]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    if id == nil then
      return nil
    end
    clients_by_root[root_dir] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local function current_client(bufnr)
  return our_clients(bufnr)[1]
end

--- Shows the server's syntax tree (`aa/syntaxTree`) for the current buffer
--- in a scratch split.
function M.show_syntax_tree()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = current_client(bufnr)
  if client == nil then
    vim.notify('aa-lint: no aa-lint client is attached to this buffer', vim.log.levels.ERROR)
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  client_request(client, 'aa/syntaxTree', params, function(err, result)
    if err ~= nil then
      vim.notify('aa-lint: aa/syntaxTree failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if type(result) ~= 'table' or type(result.tree) ~= 'string' then
      vim.notify('aa-lint: aa/syntaxTree returned no tree', vim.log.levels.ERROR)
      return
    end
    vim.cmd('botright vnew')
    local out = vim.api.nvim_get_current_buf()
    vim.bo[out].buftype = 'nofile'
    vim.bo[out].bufhidden = 'wipe'
    vim.bo[out].swapfile = false
    vim.api.nvim_buf_set_name(out, 'aa-lint-syntax-tree://' .. bufnr .. '/' .. vim.fn.localtime())
    vim.api.nvim_buf_set_lines(out, 0, -1, false, vim.split(result.tree, '\n', { plain = true }))
    vim.bo[out].modifiable = false
  end, bufnr)
end

--- Stops every aa-lint client and re-attaches the open apparmor buffers.
function M.restart()
  for _, client in ipairs(our_clients(nil)) do
    client_stop(client)
  end
  clients_by_root = {}
  vim.defer_fn(function()
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
        M.attach(bufnr)
      end
    end
  end, 500)
end

--- Pushes changed settings to the running clients.
function M.update_settings(settings)
  M.config.settings = vim.tbl_deep_extend('force', M.config.settings or {}, settings or {})
  local merged = M.server_settings()
  for _, client in ipairs(our_clients(nil)) do
    client.config.settings = { ['aa-lint'] = merged }
    client_notify(client, 'workspace/didChangeConfiguration', { settings = client.config.settings })
  end
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  M._warned = false

  local group = vim.api.nvim_create_augroup('aa_lint', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })

  vim.api.nvim_create_user_command('AaLintSyntaxTree', M.show_syntax_tree, { desc = 'aa-lint: show the syntax tree' })
  vim.api.nvim_create_user_command('AaLintRestart', M.restart, { desc = 'aa-lint: restart the server' })

  -- Buffers that were already open when setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
