#!/usr/bin/env bash
# Benchmarks the whole suite with wrk: get item, list items (limit 10), create item (admin) and
# purchase (user), each through the gateway and directly against the items service, at each of
# BENCH_CONNECTIONS (default "16 64") connections for BENCH_DURATION (10s) each; plus every
# process's RSS at rest and its peak under load. Prints the machine, the command and Markdown
# tables to paste into docs/benchmarks.md.
#   bench/suite.sh
# The suite is started with infra/up.sh --background on ports of its own (PostgreSQL 55432,
# RabbitMQ 55672/55673/55674 as rabbit-bench@localhost, users 55101, items 55102, gateway 55080;
# data and logs under BENCH_DIR, default /tmp/store-bench), so it never touches servers on the
# default ports, and is stopped again at the end (infra/down.sh with the same settings).
# For the run, through configuration: the gateway's per-client rate limit is raised
# (RateLimits__PerClient__PermitLimit), since every wrk connection comes from one address; every
# process logs at Warning; access tokens live 2 hours.
set -euo pipefail
bench_dir=${BENCH_DIR:-/tmp/store-bench}
export DATA_DIR="$bench_dir/data" RUN_DIR="$bench_dir/run"
export PG_PORT=${BENCH_PG_PORT:-55432}
export RABBITMQ_PORT=55672 RABBITMQ_MANAGEMENT_PORT=55673 RABBITMQ_DIST_PORT=55674 RABBITMQ_NODENAME=rabbit-bench@localhost
export USERS_PORT=55101 ITEMS_PORT=55102 AUDIT_PORT=55103 NOTIFICATIONS_PORT=55104 GATEWAY_PORT=55080
export RateLimits__PerClient__PermitLimit=1000000000 RateLimits__PerClient__Window=00:00:01
export Logging__LogLevel__Default=Warning
export Jwt__AccessTokenMinutes=120
source "$(dirname "$0")/../infra/env.sh"
cd "$REPO_ROOT"

duration=${BENCH_DURATION:-10s}
read -r -a connection_counts <<<"${BENCH_CONNECTIONS:-16 64}"
items=1000
export PGOPTIONS="-c client_min_messages=warning"
psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)

command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"
for port in "$PG_PORT" "$RABBITMQ_PORT" "$USERS_PORT" "$ITEMS_PORT" "$GATEWAY_PORT"; do
  port_open "$port" && die "port $port is taken: is a benchmark suite already running? (DATA_DIR=$DATA_DIR RUN_DIR=$RUN_DIR infra/down.sh)"
done

sampler=""
cleanup() {
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
  "$REPO_ROOT/infra/down.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT
mkdir -p "$DATA_DIR" "$RUN_DIR"
"$REPO_ROOT/infra/up.sh" --background >"$bench_dir/up.log" 2>&1 || { tail -n 20 "$bench_dir/up.log" >&2; die "the suite did not start"; }
admin_password=$(cat "$DATA_DIR/admin-password")
users="http://127.0.0.1:$USERS_PORT" items_url="http://127.0.0.1:$ITEMS_PORT" gateway="http://127.0.0.1:$GATEWAY_PORT"

token() {
  curl -fsS "$users/api/auth/token" --data-urlencode "username=$1" --data-urlencode "password=$2" | jq -r .access_token
}
admin_token=$(token admin "$admin_password")
# The buyer is registered on the first run (201) and found on later ones (409), as BENCH_DIR's data stays.
status=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "$users/api/users" \
  -d '{"username":"bench_buyer","email":"bench_buyer@example.com","password":"bench-buyer-password"}')
[[ "$status" == 201 || "$status" == 409 ]] || die "registering the buyer answered $status"
user_token=$(token bench_buyer bench-buyer-password)

# Seeded in SQL (the items service made the schema at start-up): plenty of stock, so purchases
# never run out; purchases spread over all items, as a single hot row would serialize them.
[ "$("${psql[@]}" -d items -c "SELECT count(*) FROM items WHERE name LIKE 'Item %'")" -gt 0 ] ||
"${psql[@]}" -d items -c "
  INSERT INTO items (name, description, price, tax, tags, stock, created_at, updated_at)
  SELECT 'Item ' || n, 'Benchmark item number ' || n, 10 + n % 90, 1.5, ARRAY['bench', 'tag' || n % 7], 1000000000, now(), now()
  FROM generate_series(1, $items) AS n;
  ANALYZE items;"
read -r first_id last_id <<<"$("${psql[@]}" -F' ' -d items -c "SELECT min(id), max(id) FROM items WHERE name LIKE 'Item %'")"
export BENCH_FIRST_ID=$first_id BENCH_LAST_ID=$last_id

pid_of() { cat "$RUN_DIR/pids/$1.pid"; }
processes=()
for pidfile in "$RUN_DIR"/pids/*.pid; do processes+=("$(basename "$pidfile" .pid)"); done
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# Prints "requests/s p50-ms p99-ms non-2xx" of one wrk run.
measure() {
  local connections=$1 script=$2 url=$3 auth=$4
  local args=(-t2 -c"$connections" -d"$duration" --latency -s "bench/lua/$script.lua")
  [ -z "$auth" ] || args+=(-H "Authorization: Bearer $auth")
  wrk "${args[@]}" "$url" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec:/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad }'
}

# Warm-up: JIT, connection pools, prepared statements, the item cache.
for target in "$items_url" "$gateway"; do
  wrk -t2 -c16 -d3s -s bench/lua/get-item.lua "$target" >/dev/null
  wrk -t2 -c16 -d3s -s bench/lua/list-items.lua "$target" >/dev/null
done

declare -A rest
for name in "${processes[@]}"; do rest[$name]=$(rss_mb "$(pid_of "$name")"); done
load=$(cut -d' ' -f1-3 /proc/loadavg)

# Peak RSS of each process while the load runs, sampled every 0.5 s.
peaks="$bench_dir/rss-peaks"
: >"$peaks"
(
  while true; do
    for name in "${processes[@]}"; do echo "$name $(rss_mb "$(pid_of "$name")")"; done >>"$peaks"
    sleep 0.5
  done
) &
sampler=$!

scenarios=(
  "get-item|GET /api/items/{id}|"
  "list-items|GET /api/items?limit=10|"
  "create-item|POST /api/items (admin)|$admin_token"
  "purchase|POST /api/items/{id}/purchase (user)|$user_token"
)
rows=()
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r script label auth <<<"$scenario"
  for connections in "${connection_counts[@]}"; do
    for target in gateway items; do
      url=$gateway; [ "$target" = items ] && url=$items_url
      log "$label, $connections connections, $target..."
      read -r rps p50 p99 bad <<<"$(measure "$connections" "$script" "$url" "$auth")"
      rows+=("| $label | $target | $connections | $rps | $p50 | $p99 | $bad |")
    done
  done
done
kill "$sampler"; sampler=""

orders=$("${psql[@]}" -d items -c "SELECT count(*) FROM orders")
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
cat <<OUT

Machine: $(nproc) cores ($cpu), $memory RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)
Command: bench/suite.sh (BENCH_DURATION=$duration BENCH_CONNECTIONS="${connection_counts[*]}"; wrk -t2 --latency; the suite, PostgreSQL, RabbitMQ and wrk on the same machine; load average before: $load)

| scenario | target | connections | requests/s | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Orders placed during the run: $orders.

| process | RSS at rest (MB) | peak RSS under load (MB) |
|---|---|---|
$(for name in "${processes[@]}"; do
    printf '| %s | %s | %s |\n' "$name" "${rest[$name]}" "$(awk -v n="$name" '$1 == n && $2 > max { max = $2 } END { print max + 0 }' "$peaks")"
  done)
OUT
