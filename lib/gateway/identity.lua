-- fleetchart: who is calling, derived at the ingress gateway (README "Identity at the gateway").
-- lib/gateway/script.ts prepends CONFIG and renders this file twice into one EnvoyFilter:
--   stage "strip"  runs first in the HTTP filter chain (INSERT_FIRST), before Istio's jwt_authn:
--                  it removes every client-supplied routing header and routing cookie;
--   stage "derive" runs last, just before the router, after jwt_authn has verified the token
--                  and copied its claims into the organization and user headers
--                  (RequestAuthentication outputClaimToHeaders): it computes the bucket.
-- Envoy's Lua API: https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/lua_filter
-- The Lua filter clears the route cache whenever a script modifies request headers
-- (envoy source/extensions/filters/http/lua/lua_filter.h, DecoderCallbacks::onHeadersModified;
-- Lua.clear_route_cache defaults to true), so the router matches on the headers written here.

local bit = require("bit")

local BUCKETS = 100

-- FNV-1a 32-bit of the id's bytes, mod 100: the same function as organizationBucket in
-- lib/gateway/bucket.ts. LuaJIT numbers are doubles and bit.* works on signed 32-bit values
-- (https://bitop.luajit.org/api.html): multiply by the FNV prime 16777619 = 2^24 + 403 as
-- lshift(h, 24) + h * 403, which stays below 2^41 (exact in a double) before bit.tobit wraps it.
local function organization_bucket(id)
  local hash = bit.tobit(2166136261)
  for i = 1, #id do
    hash = bit.bxor(hash, string.byte(id, i))
    hash = bit.tobit(bit.lshift(hash, 24) + hash * 403)
  end
  if hash < 0 then
    hash = hash + 4294967296
  end
  return hash % BUCKETS
end

-- Every value of a header, in order (get() would join repeated headers with ',').
local function header_values(headers, name)
  local values = {}
  for i = 0, headers:getNumValues(name) - 1 do
    values[#values + 1] = headers:getAtIndex(name, i)
  end
  return values
end

-- The one value of a header: nil when absent, empty, or repeated with different values (two
-- verified tokens naming two organizations identify nobody).
local function single_value(headers, name)
  local values = header_values(headers, name)
  local value = values[1]
  if value == nil or value == "" then
    return nil
  end
  for i = 2, #values do
    if values[i] ~= value then
      return nil
    end
  end
  return value
end

-- A cookie header value without the routing cookies (nil when nothing is left), and whether
-- there was one to remove.
local function without_routing_cookies(value)
  local kept = {}
  local removed = false
  for pair in string.gmatch(value, "[^;]+") do
    local name = string.match(pair, "^%s*([^=%s]+)")
    if name ~= nil and CONFIG.routing_cookies[name] then
      removed = true
    else
      local trimmed = string.match(pair, "^%s*(.-)%s*$")
      if trimmed ~= "" then
        kept[#kept + 1] = trimmed
      end
    end
  end
  if #kept == 0 then
    return nil, removed
  end
  return table.concat(kept, "; "), removed
end

local function remove_identity(headers)
  headers:remove(CONFIG.org_header)
  headers:remove(CONFIG.user_header)
  headers:remove(CONFIG.bucket_header)
end

-- Stage "strip": nothing the client sends decides its routing.
local function strip(handle)
  local headers = handle:headers()
  remove_identity(headers)
  local cookies = header_values(headers, "cookie")
  if #cookies == 0 then
    return
  end
  local kept = {}
  local changed = false
  for _, value in ipairs(cookies) do
    local rest, removed = without_routing_cookies(value)
    if not removed then
      kept[#kept + 1] = value
    elseif rest ~= nil then
      kept[#kept + 1] = rest
      changed = true
    else
      changed = true
    end
  end
  if changed then
    headers:remove("cookie")
    for _, value in ipairs(kept) do
      headers:add("cookie", value)
    end
  end
end

-- Stage "derive": organization and user as jwt_authn wrote them from a verified token (one
-- value each), and the organization's bucket; without an organization, no bucket.
local function derive(handle)
  local headers = handle:headers()
  local org = single_value(headers, CONFIG.org_header)
  local user = single_value(headers, CONFIG.user_header)
  remove_identity(headers)
  if user ~= nil then
    headers:add(CONFIG.user_header, user)
  end
  if org ~= nil then
    headers:add(CONFIG.org_header, org)
    headers:add(CONFIG.bucket_header, string.format("%d", organization_bucket(org)))
  end
end

local STAGES = { strip = strip, derive = derive }

function envoy_on_request(request_handle)
  local ok, err = pcall(STAGES[CONFIG.stage], request_handle)
  if not ok then
    -- Fail to "no identity": the request reaches the default version, never a chosen one.
    remove_identity(request_handle:headers())
    request_handle:logErr("fleetchart identity " .. CONFIG.stage .. ": " .. tostring(err))
  end
end
