-- GET /api/items/{id}, the id drawn from the seeded range (BENCH_FIRST_ID..BENCH_LAST_ID).
local first = tonumber(os.getenv("BENCH_FIRST_ID") or "1")
local last = tonumber(os.getenv("BENCH_LAST_ID") or "1000")
request = function()
  return wrk.format("GET", "/api/items/" .. math.random(first, last))
end
