-- POST /api/items with a new item each time (the Authorization header comes from the command line).
local counter = 0
-- The command line's headers (Authorization) plus the body's type: wrk.format uses only those it is given.
local headers = {}
for name, value in pairs(wrk.headers) do headers[name] = value end
headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = '{"name":"Bench item ' .. counter .. '","description":"Created by the benchmark","price":12.5,"tax":1.25,"tags":["bench"],"stock":100}'
  return wrk.format("POST", "/api/items", headers, body)
end
