-- Rampart as HAProxy's forward-auth service: the `rampart_auth` action asks Rampart's
-- forward-auth listener about each request (Rampart's nginx dialect: X-Original-Method,
-- X-Original-URI) with HAProxy's own HTTP client, and leaves the answer in `txn.rampart_*`
-- variables that haproxy.cfg turns into a forward, a redirect or a refusal. See
-- docs/forward-auth.md.
--
-- The original-request headers Rampart reads are built here from what HAProxy itself saw
-- (method, target, Host, scheme, peer address, TLS version); from the client, only the headers
-- the decision reads are copied, so a client cannot write X-Original-URI, X-Real-IP or
-- X-Forwarded-Proto for Rampart.

local RAMPART = "http://127.0.0.1:9100/nginx"
local TIMEOUT_MS = 1000

-- The client's own headers that the decision reads (credentials, navigation, same-origin).
local CLIENT_HEADERS = {
  "authorization", "cookie", "accept", "origin", "referer", "content-type", "upgrade",
  "x-http-method-override", "x-http-method", "x-method-override",
}

-- Rampart's answer headers, and the variable each is kept in.
local ANSWER = {
  ["x-rampart-forward-uri"] = "txn.rampart_uri",
  ["x-rampart-authorization"] = "txn.rampart_authorization",
  ["x-rampart-cookie"] = "txn.rampart_cookie",
  ["x-rampart-subject"] = "txn.rampart_subject",
  ["x-rampart-auth-method"] = "txn.rampart_auth_method",
  ["x-rampart-tunnel"] = "txn.rampart_tunnel",
  ["x-rampart-location"] = "txn.rampart_location",
  ["x-rampart-error"] = "txn.rampart_error",
  ["www-authenticate"] = "txn.rampart_authenticate",
}

-- HAProxy header tables list values from index 0.
local function values(list)
  local out = {}
  if list == nil then return out end
  local i = 0
  while list[i] ~= nil do
    out[#out + 1] = list[i]
    i = i + 1
  end
  if #out == 0 then
    for _, v in ipairs(list) do out[#out + 1] = v end
  end
  return out
end

core.register_action("rampart_auth", { "http-req" }, function(txn)
  local seen = txn.http:req_get_headers()
  local host = values(seen["host"])[1]
  local headers = {
    ["x-original-method"] = { txn.sf:method() },
    ["x-original-uri"] = { txn.sf:pathq() },
    ["x-forwarded-proto"] = { txn.sf:ssl_fc() and "https" or "http" },
    ["x-real-ip"] = { txn.sf:src() },
  }
  if host ~= nil then headers["x-forwarded-host"] = { host } end
  if txn.sf:ssl_fc() then headers["x-forwarded-tls-version"] = { txn.sf:ssl_fc_protocol() } end
  for _, name in ipairs(CLIENT_HEADERS) do
    local v = values(seen[name])
    if #v > 0 then headers[name] = v end
  end
  -- Fail closed: without an answer the request is refused (403 in haproxy.cfg).
  txn:set_var("txn.rampart_status", "503")
  txn:set_var("txn.rampart_error", '{"error":{"reason":"forward_auth_unavailable"}}')
  local ok, res = pcall(function()
    return core.httpclient():get({ url = RAMPART, headers = headers, timeout = TIMEOUT_MS })
  end)
  if not ok or res == nil or res.status == nil or res.status == 0 then return end
  txn:set_var("txn.rampart_status", tostring(res.status))
  txn:unset_var("txn.rampart_error")
  for name, var in pairs(ANSWER) do
    local v = values(res.headers and res.headers[name])[1]
    if v ~= nil and v ~= "" then txn:set_var(var, v) end
  end
end, 0)
