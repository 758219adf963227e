-- POST /api/items/{id}/purchase of one unit, the id drawn from the seeded range, so buyers
-- spread over the items as they would rather than queueing on one row's lock.
local first = tonumber(os.getenv("BENCH_FIRST_ID") or "1")
local last = tonumber(os.getenv("BENCH_LAST_ID") or "1000")
-- The command line's headers (Authorization) plus the body's type: wrk.format uses only those it is given.
local headers = {}
for name, value in pairs(wrk.headers) do headers[name] = value end
headers["Content-Type"] = "application/json"

request = function()
  return wrk.format("POST", "/api/items/" .. math.random(first, last) .. "/purchase",
    headers, '{"quantity":1}')
end
