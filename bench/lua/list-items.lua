-- GET /api/items?limit=10: a count and the first page.
request = function()
  return wrk.format("GET", "/api/items?limit=10")
end
