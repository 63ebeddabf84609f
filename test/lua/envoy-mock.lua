-- A mock of the request handle Envoy passes to envoy_on_request, with the semantics of Envoy's
-- Lua header object (envoy docs configuration/http/http_filters/lua_filter.rst "Header object
-- API"; source/extensions/filters/common/lua/wrappers.cc HeaderMapWrapper): keys are
-- case-insensitive (stored lowercase), a header may repeat, get() joins repeated values with
-- ',', getAtIndex() is 0-based, replace() leaves one value, remove() removes all, add() appends.
-- Every change is recorded, as the Lua filter clears the route cache on a change.
local M = {}

local Headers = {}
Headers.__index = Headers

function M.headers(list)
  local self = setmetatable({ entries = {}, modified = false }, Headers)
  for _, pair in ipairs(list or {}) do
    self.entries[#self.entries + 1] = { string.lower(pair[1]), pair[2] }
  end
  return self
end

local function check_string(value, what)
  if type(value) ~= "string" then
    error(what .. " must be a string, got " .. type(value), 3)
  end
end

function Headers:get(key)
  check_string(key, "key")
  local values = {}
  for _, e in ipairs(self.entries) do
    if e[1] == string.lower(key) then values[#values + 1] = e[2] end
  end
  if #values == 0 then return nil end
  return table.concat(values, ",")
end

function Headers:getNumValues(key)
  check_string(key, "key")
  local n = 0
  for _, e in ipairs(self.entries) do
    if e[1] == string.lower(key) then n = n + 1 end
  end
  return n
end

function Headers:getAtIndex(key, index)
  check_string(key, "key")
  if type(index) ~= "number" then error("index must be a number", 2) end
  local n = 0
  for _, e in ipairs(self.entries) do
    if e[1] == string.lower(key) then
      if n == index then return e[2] end
      n = n + 1
    end
  end
  return nil
end

function Headers:add(key, value)
  check_string(key, "key")
  check_string(value, "value")
  self.entries[#self.entries + 1] = { string.lower(key), value }
  self.modified = true
end

function Headers:remove(key)
  check_string(key, "key")
  local kept = {}
  for _, e in ipairs(self.entries) do
    if e[1] ~= string.lower(key) then kept[#kept + 1] = e end
  end
  self.entries = kept
  self.modified = true
end

function Headers:replace(key, value)
  check_string(key, "key")
  check_string(value, "value")
  local kept, done = {}, false
  for _, e in ipairs(self.entries) do
    if e[1] ~= string.lower(key) then
      kept[#kept + 1] = e
    elseif not done then
      kept[#kept + 1] = { e[1], value }
      done = true
    end
  end
  if not done then kept[#kept + 1] = { string.lower(key), value } end
  self.entries = kept
  self.modified = true
end

-- Iteration as documented for __pairs (LuaJIT 2.1 honours __pairs only with 5.2 compat, so the
-- mock offers an explicit iterator as well).
function Headers:each()
  local i = 0
  return function()
    i = i + 1
    local e = self.entries[i]
    if e then return e[1], e[2] end
  end
end

local Handle = {}
Handle.__index = Handle

function M.handle(headers)
  return setmetatable({ _headers = headers, logs = {} }, Handle)
end

function Handle:headers() return self._headers end
function Handle:streamInfo()
  return {
    protocol = function() return "HTTP/1.1" end,
    dynamicMetadata = function() return { get = function() return nil end, set = function() end } end,
  }
end
for _, level in ipairs({ "Trace", "Debug", "Info", "Warn", "Err", "Critical" }) do
  Handle["log" .. level] = function(self, message)
    check_string(message, "message")
    self.logs[#self.logs + 1] = level .. ": " .. message
  end
end

-- Runs one rendered script (its own globals, as Envoy loads each filter's code in its own state)
-- against a handle.
function M.run(code, handle)
  local chunk, err = loadstring(code, "=rendered")
  if not chunk then error("rendered Lua does not compile: " .. err) end
  local env = setmetatable({}, { __index = _G })
  setfenv(chunk, env)
  chunk()
  if type(env.envoy_on_request) ~= "function" then error("rendered Lua defines no envoy_on_request") end
  env.envoy_on_request(handle)
end

return M
