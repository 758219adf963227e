#!/usr/bin/env bash
# Measures what the gateway costs: the same requests, directly against the items service and
# through the gateway, with wrk. Prints the machine, the commands and a Markdown table (throughput
# ratio, added p50/p99 latency) to paste into docs/benchmarks.md.
#   bench/gateway.sh [duration of one run, default 15s] [connections, default 64]
# BENCH_ROUNDS (3) rounds, each a run directly then one through the gateway; medians are reported.
# Needs PostgreSQL running (infra/servers.sh start); installs wrk when it is missing. Builds the
# items service and the gateway in Release, runs them on BENCH_ITEMS_PORT (5192) and
# BENCH_GATEWAY_PORT (5190) against a fresh database `bench_items` seeded with 1,000 items, and
# stops them and drops the database again at the end. The gateway's rate limits are raised for the
# run (RateLimits__PerClient__PermitLimit), since every request comes from one address; both
# processes log at Warning, as a per-request Information line costs more than the proxy does.
set -euo pipefail
source "$(dirname "$0")/../infra/env.sh"
cd "$REPO_ROOT"

duration=${1:-15s}
connections=${2:-64}
rounds=${BENCH_ROUNDS:-3}
threads=${BENCH_THREADS:-2}
items_port=${BENCH_ITEMS_PORT:-5192}
gateway_port=${BENCH_GATEWAY_PORT:-5190}
database=bench_items
export PGOPTIONS="-c client_min_messages=warning"
psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)

"$REPO_ROOT/infra/install.sh" wrk
port_open "$PG_PORT" || die "PostgreSQL is not running on $PG_PORT: start it with infra/servers.sh start"
for port in "$items_port" "$gateway_port"; do
  port_open "$port" && die "port $port is taken: set BENCH_ITEMS_PORT / BENCH_GATEWAY_PORT"
done

log "building the items service and the gateway (Release)..."
dotnet build -c Release -v quiet -nologo services/Items >/dev/null
dotnet build -c Release -v quiet -nologo gateway >/dev/null

pids=()
logs=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$logs"
}
trap cleanup EXIT

# Runs a project's Release build in the background with the given environment; its pid goes to pids.
start() {
  local project=$1 dll=$2; shift 2
  (cd "$project/bin/Release/net10.0" && exec env "$@" dotnet "$dll" >"$logs/${dll%.dll}.log" 2>&1) &
  pids+=($!)
}
wait_live() { wait_for "$1" 60 curl -fs -o /dev/null "http://127.0.0.1:$2/health/live" || { tail -n 20 "$logs"/*.log >&2; die "$1 did not start"; }; }

"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
start services/Items Items.dll \
  ASPNETCORE_URLS="http://127.0.0.1:$items_port" \
  ConnectionStrings__items="Host=127.0.0.1;Port=$PG_PORT;Database=$database;Username=postgres" \
  Auth__JwksUrl= Logging__LogLevel__Default=Warning
wait_live "the items service" "$items_port"

# Seeded in SQL: creating items over the API needs an admin token from the users service.
"${psql[@]}" -d "$database" -c "
  INSERT INTO items (name, description, price, tax, tags, stock, created_at, updated_at)
  SELECT 'Item ' || n, 'Benchmark item number ' || n, 10 + n % 90, 1.5, ARRAY['bench', 'tag' || n % 7], 100, now(), now()
  FROM generate_series(1, 1000) AS n;
  ANALYZE items;"
item_id=$("${psql[@]}" -d "$database" -c "SELECT id FROM items ORDER BY id OFFSET 499 LIMIT 1")

start gateway Gateway.dll \
  ASPNETCORE_URLS="http://127.0.0.1:$gateway_port" \
  ReverseProxy__Clusters__items__Destinations__default__Address="http://127.0.0.1:$items_port/" \
  RateLimits__PerClient__PermitLimit=1000000000 RateLimits__PerClient__Window=00:00:01 \
  Auth__JwksUrl= Logging__LogLevel__Default=Warning
wait_live "the gateway" "$gateway_port"

# Prints "requests/s p50-µs p99-µs" of one wrk run.
measure() {
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$1" | awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
    /^ +50%/ { p50 = us($2) } /^ +99%/ { p99 = us($2) } /^Requests\/sec:/ { rps = $2 }
    END { printf "%.0f %.0f %.0f\n", rps, p50, p99 }'
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
paths=("/api/items/$item_id" "/api/items?limit=10")
for path in "${paths[@]}"; do
  for port in "$items_port" "$gateway_port"; do
    curl -fs -o /dev/null "http://127.0.0.1:$port$path" || die "GET $path on port $port failed"
    wrk -t"$threads" -c"$connections" -d5s "http://127.0.0.1:$port$path" >/dev/null   # warm-up: JIT, pools, prepared statements
  done
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Direct and through the gateway alternate, round after round, so a neighbour's load on the machine
# falls on both alike; each figure is the median of its rounds.
rows=()
for path in "${paths[@]}"; do
  d_rps=() d_p50=() d_p99=() g_rps=() g_p50=() g_p99=()
  for round in $(seq "$rounds"); do
    log "GET $path, round $round of $rounds: $duration directly, then $duration through the gateway..."
    read -r rps p50 p99 <<<"$(measure "http://127.0.0.1:$items_port$path")"
    d_rps+=("$rps") d_p50+=("$p50") d_p99+=("$p99")
    read -r rps p50 p99 <<<"$(measure "http://127.0.0.1:$gateway_port$path")"
    g_rps+=("$rps") g_p50+=("$p50") g_p99+=("$p99")
  done
  rows+=("$(awk -v path="$path" \
      -v drps="$(median "${d_rps[@]}")" -v grps="$(median "${g_rps[@]}")" \
      -v d50="$(median "${d_p50[@]}")" -v g50="$(median "${g_p50[@]}")" \
      -v d99="$(median "${d_p99[@]}")" -v g99="$(median "${g_p99[@]}")" 'BEGIN {
    printf "| GET %s | %d | %d | %.2f | %.2f / %.2f ms (%+.2f) | %.2f / %.2f ms (%+.2f) |\n",
      path, drps, grps, grps / drps, d50 / 1000, g50 / 1000, (g50 - d50) / 1000, d99 / 1000, g99 / 1000, (g99 - d99) / 1000 }')")
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
cat <<EOF

Machine: $(nproc) cores ($cpu), $memory RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)
Command: BENCH_THREADS=$threads BENCH_ROUNDS=$rounds bench/gateway.sh $duration $connections  ($rounds rounds of wrk -t$threads -c$connections -d$duration --latency each way, medians; wrk, both processes and PostgreSQL on the same machine; load average before: $load)

| request | direct req/s | via gateway req/s | ratio | p50 direct / gateway | p99 direct / gateway |
|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
EOF
