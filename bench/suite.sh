#!/usr/bin/env bash
# Benchmarks the whole suite with wrk: get item, list items (limit 10), create item (admin) and
# purchase (user), each through the gateway and directly against the items service, at each of
# BENCH_CONNECTIONS (default "1 16 64 256") connections for BENCH_DURATION (10s) each, with the CPU
# each process used during each run; whether both consumers kept up with the purchases; the delay
# from a purchase to its audit row at the steady rates BENCH_EVENT_RATES (default "100 250 1000"
# purchases/s, BENCH_EVENT_DURATION 20 s each); every process's RSS at rest and its peak under
# load; and each process's time from start to ready. Prints the machine, the command and Markdown
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
read -r -a connection_counts <<<"${BENCH_CONNECTIONS:-1 16 64 256}"
read -r -a event_rates <<<"${BENCH_EVENT_RATES:-100 250 1000}"
event_duration=${BENCH_EVENT_DURATION:-20}
items=1000
export PGOPTIONS="-c client_min_messages=warning"
psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)

"$REPO_ROOT/infra/install.sh" wrk jq
for port in "$PG_PORT" "$RABBITMQ_PORT" "$USERS_PORT" "$ITEMS_PORT" "$GATEWAY_PORT"; do
  port_open "$port" && die "port $port is taken: is a benchmark suite already running? (DATA_DIR=$DATA_DIR RUN_DIR=$RUN_DIR infra/down.sh)"
done

sampler=""
cleanup() {
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
  "$REPO_ROOT/infra/down.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT
dotnet build -c Release bench/PurchaseBench/PurchaseBench.csproj -nologo -v quiet >/dev/null
purchase_bench="bench/PurchaseBench/bin/Release/net10.0/PurchaseBench.dll"
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
# RSS, and its private part (RssAnon: the heaps; the rest is the framework's files and the JIT's
# code mapping, shared with the other processes), in MB.
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
private_mb() { awk '/^RssAnon/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# CPU time (in 1/100 s) of a process and its children: PostgreSQL's backends, RabbitMQ's helpers.
tree_ticks() {
  local total=0 pid ticks
  for pid in "$1" $(ps -o pid= --ppid "$1"); do
    ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) && total=$((total + ticks))
  done
  echo "$total"
}
cpu_owners=("${processes[@]}" postgres rabbitmq)
owner_pid() {
  case $1 in
    postgres) head -n 1 "$DATA_DIR/postgres/postmaster.pid" ;;
    rabbitmq) cat "$DATA_DIR/rabbitmq/server.pid" ;;
    *) pid_of "$1" ;;
  esac
}
# "name ticks" for every process, and the machine's busy ticks per core summed ("machine").
cpu_snapshot() {
  local name
  for name in "${cpu_owners[@]}"; do echo "$name $(tree_ticks "$(owner_pid "$name")")"; done
  awk -v cores="$(nproc)" '/^cpu / { printf "machine %d\n", $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Prints "requests/s p50-ms p99-ms non-2xx socket-errors" of one wrk run.
measure() {
  local connections=$1 script=$2 url=$3 auth=$4
  local threads=2
  [ "$connections" -ge 2 ] || threads=1
  local args=(-t"$threads" -c"$connections" -d"$duration" --latency -s "bench/lua/$script.lua")
  [ -z "$auth" ] || args+=(-H "Authorization: Bearer $auth")
  wrk "${args[@]}" "$url" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec:/ { rps = $2 } /Non-2xx/ { bad = $NF }
    /Socket errors/ { errors = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, bad, errors }'
}

# Warm-up: JIT, connection pools, prepared statements, the item cache.
for target in "$items_url" "$gateway"; do
  wrk -t2 -c16 -d3s -s bench/lua/get-item.lua "$target" >/dev/null
  wrk -t2 -c16 -d3s -s bench/lua/list-items.lua "$target" >/dev/null
done

declare -A rest rest_private
for name in "${processes[@]}"; do
  rest[$name]=$(rss_mb "$(pid_of "$name")") rest_private[$name]=$(private_mb "$(pid_of "$name")")
done
load=$(cut -d' ' -f1-3 /proc/loadavg)

# Peak RSS of each process while the load runs, sampled every 0.5 s.
peaks="$bench_dir/rss-peaks"
: >"$peaks"
(
  while true; do
    for name in "${processes[@]}"; do echo "$name $(rss_mb "$(pid_of "$name")") $(private_mb "$(pid_of "$name")")"; done >>"$peaks"
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
# True once every order's event has its audit row and its notification.
drained() {
  local orders audit notifications
  orders=$("${psql[@]}" -d items -c "SELECT count(*) FROM orders")
  audit=$("${psql[@]}" -d audit -c "SELECT count(*) FROM audit_entries WHERE event_type = 'OrderPlaced'")
  notifications=$("${psql[@]}" -d notifications -c "SELECT count(*) FROM notifications WHERE subject LIKE 'Your order%'")
  [ "$audit" -ge "$orders" ] && [ "$notifications" -ge "$orders" ]
}

rows=() cpu_rows=()
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r script label auth <<<"$scenario"
  for connections in "${connection_counts[@]}"; do
    for target in gateway items; do
      url=$gateway; [ "$target" = items ] && url=$items_url
      log "$label, $connections connections, $target..."
      before=$(cpu_snapshot) started=$(now_ms)
      read -r rps p50 p99 bad errors <<<"$(measure "$connections" "$script" "$url" "$auth")"
      after=$(cpu_snapshot) elapsed=$(($(now_ms) - started))
      rows+=("| $label | $target | $connections | $rps | $p50 | $p99 | $bad | $errors |")
      # Per process: % of one core over the run (200% is both cores); the gateway's CPU per request.
      cpu_rows+=("$(awk -v label="$label" -v target="$target" -v c="$connections" -v ms="$elapsed" -v rps="$rps" -v owners="${cpu_owners[*]}" '
        FNR == NR { before[$1] = $2; next }
        { delta[$1] = $2 - before[$1] }
        END {
          n = split(owners, names, " "); row = "| " label " | " target " | " c " |"; known = 0
          for (i = 1; i <= n; i++) { row = row " " sprintf("%.0f", delta[names[i]] * 1000 / ms) " |"; known += delta[names[i]] }
          row = row " " sprintf("%.0f", (delta["machine"] - known) * 1000 / ms) " |"
          gateway = (target == "gateway" && rps > 0) ? sprintf("%.0f", delta["gateway"] * 10000 / (rps * ms / 1000)) : "-"
          print row " " gateway " |"
        }' <(echo "$before") <(echo "$after"))")
    done
  done
  if [ "$script" = purchase ]; then
    # Both consumers keep up when every order's event is in the audit log and in the notifications
    # moments after the load stops; a backlog shows as the time it takes to drain.
    log "waiting for the consumers to catch up..."
    load_ended=$(now_ms)
    if wait_for "the consumers" 600 drained; then drain_ms=$(($(now_ms) - load_ended)); else drain_ms="> 600000"; fi
  fi
done

# Purchase -> audit row at steady rates through the gateway: occurred_at is taken just before the
# order's transaction commits, recorded_at as the audit-log's consumer writes the row.
event_rows=()
for rate in "${event_rates[@]}"; do
  wait_for "the consumers" 600 drained || true  # each rate starts without the previous one's backlog
  log "steady $rate purchases/s for ${event_duration}s through the gateway..."
  window_start=$("${psql[@]}" -d items -c "SELECT now()")
  http=$(dotnet "$purchase_bench" run --url "$gateway" --token "$user_token" --ids "$first_id-$last_id" --steady-only \
    --rate "$rate" --duration "$event_duration" | awk -F'|' '/^\| steady/ { gsub(/ /, "", $6); gsub(/^ | $/, "", $7); print $6 "|" $7 }')
  orders=$("${psql[@]}" -d items -c "SELECT count(*) FROM orders WHERE created_at >= '$window_start'")
  recorded() { [ "$("${psql[@]}" -d audit -c "SELECT count(*) FROM audit_entries WHERE event_type = 'OrderPlaced' AND occurred_at >= '$window_start'")" -ge "$orders" ]; }
  wait_for "the audit log" 300 recorded || true
  read -r audited p50 p99 max <<<"$("${psql[@]}" -F' ' -d audit -c "
    SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY delay)::numeric, 1),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY delay)::numeric, 1), round(max(delay)::numeric, 1)
    FROM (SELECT extract(epoch FROM recorded_at - occurred_at) * 1000 AS delay
          FROM audit_entries WHERE event_type = 'OrderPlaced' AND occurred_at >= '$window_start') AS delays")"
  event_rows+=("| $rate | ${http%%|*} | $orders | $audited | ${http#*|} | $p50 | $p99 | $max |")
done
kill "$sampler"; sampler=""

# Start-up: each process stopped and started again as up.sh started it (same command, environment
# and directory; warm disk cache, migrations already applied), timed until /health/ready answers.
port_for() {
  case $1 in users) echo "$USERS_PORT" ;; items) echo "$ITEMS_PORT" ;; audit-log) echo "$AUDIT_PORT" ;;
    notifications) echo "$NOTIFICATIONS_PORT" ;; gateway) echo "$GATEWAY_PORT" ;; esac
}
restart_timed() {
  local name=$1 pid started port environment=() command=() directory
  pid=$(pid_of "$name") port=$(port_for "$name")
  mapfile -d '' environment <"/proc/$pid/environ"
  mapfile -d '' command <"/proc/$pid/cmdline"
  directory=$(readlink "/proc/$pid/cwd")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  started=$(now_ms)
  (cd "$directory" && exec env -i "${environment[@]}" "${command[@]}" >>"$RUN_DIR/logs/$name.log" 2>&1) &
  echo $! >"$RUN_DIR/pids/$name.pid"
  until curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    [ $(($(now_ms) - started)) -lt 60000 ] || { echo "> 60000"; return; }
    sleep 0.02
  done
  echo $(($(now_ms) - started))
}
startup_rows=()
for name in "${processes[@]}"; do
  log "restarting $name (3 times)..."
  times=()
  for _ in 1 2 3; do times+=("$(restart_timed "$name")"); done
  startup_rows+=("| $name | ${times[*]} |")
done

orders=$("${psql[@]}" -d items -c "SELECT count(*) FROM orders")
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
cat <<OUT

Machine: $(nproc) cores ($cpu), $memory RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)
Command: bench/suite.sh (BENCH_DURATION=$duration BENCH_CONNECTIONS="${connection_counts[*]}"; wrk -t2 --latency; the suite, PostgreSQL, RabbitMQ and wrk on the same machine; load average before: $load)

| scenario | target | connections | requests/s | p50 ms | p99 ms | non-2xx | socket errors |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Orders placed during the run: $orders.

Both consumers had every purchase's event (audit row and notification) $drain_ms ms after the last purchase run ended.

CPU per run, in % of one core (200% is the whole machine); "other" is wrk, the kernel and the rest of the machine; the last column is the gateway's CPU per proxied request in µs:

| scenario | target | connections |$(printf ' %s |' "${cpu_owners[@]}") other | gateway µs/request |
|---|---|---|$(printf -- '---|%.0s' "${cpu_owners[@]}")---|---|
$(printf '%s\n' "${cpu_rows[@]}")

Purchase -> audit row, steady rates through the gateway, ${event_duration} s each (occurred_at, taken just before the order's transaction commits, to the audit row's recorded_at):

| target purchases/s | achieved purchases/s | orders | audit rows | HTTP ms p50 / p99 | delay ms p50 | delay ms p99 | delay ms max |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${event_rows[@]}")

| process | RSS at rest (MB) | peak RSS under load (MB) | private at rest (MB) | peak private under load (MB) |
|---|---|---|---|---|
$(for name in "${processes[@]}"; do
    printf '| %s | %s | %s | %s | %s |\n' "$name" "${rest[$name]}" "$(awk -v n="$name" '$1 == n && $2 > max { max = $2 } END { print max + 0 }' "$peaks")" \
      "${rest_private[$name]}" "$(awk -v n="$name" '$1 == n && $3 > max { max = $3 } END { print max + 0 }' "$peaks")"
  done)

Start to ready (ms, 3 restarts each):

| process | ms |
|---|---|
$(printf '%s\n' "${startup_rows[@]}")
OUT
