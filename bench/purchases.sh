#!/usr/bin/env bash
# Benchmarks purchases end to end: HTTP purchase -> commit -> outbox relay -> RabbitMQ -> consumer.
#   bench/purchases.sh [--rate 200] [--duration 30] [--concurrency 32] [--items 8]
# Needs PostgreSQL and RabbitMQ running (infra/servers.sh start). Builds the items service in
# Release, gives it a database and a RabbitMQ vhost of its own, starts it on 127.0.0.1:$BENCH_PORT
# (5192), runs bench/PurchaseBench against it (see its header for what is measured), prints a
# markdown table, and removes the service, the database and the vhost again.
set -euo pipefail
source "$(dirname "$0")/../infra/env.sh"
cd "$REPO_ROOT"

port="${BENCH_PORT:-5192}"
database="bench_items_$$"
vhost="bench-$$"
rabbit_user="${RABBITMQ_USER:-guest}"
rabbit_password="${RABBITMQ_PASSWORD:-guest}"
work="$(mktemp -d)"
service_pid=""

psql_admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U "${PG_USER:-postgres}" -d postgres -qtAc "$1" >/dev/null; }
rabbit_api() {
  curl -fsS -u "$rabbit_user:$rabbit_password" -H 'content-type: application/json' \
    -X "$1" "http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/api/$2" ${3:+-d "$3"} >/dev/null
}
cleanup() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  psql_admin "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" || true
  rabbit_api DELETE "vhosts/$vhost" || true
  rm -rf "$work"
}
trap cleanup EXIT

port_open "$PG_PORT" || die "PostgreSQL is not running on port $PG_PORT: infra/servers.sh start"
port_open "$RABBITMQ_PORT" || die "RabbitMQ is not running on port $RABBITMQ_PORT: infra/servers.sh start"
! port_open "$port" || die "port $port is taken: set BENCH_PORT"

log "building (Release)..."
dotnet build -c Release services/Items/Items.csproj -nologo -v quiet >/dev/null
dotnet build -c Release bench/PurchaseBench/PurchaseBench.csproj -nologo -v quiet >/dev/null
bench="bench/PurchaseBench/bin/Release/net10.0/PurchaseBench.dll"

psql_admin "CREATE DATABASE \"$database\""
rabbit_api PUT "vhosts/$vhost" '{}'
rabbit_api PUT "permissions/$vhost/$rabbit_user" '{"configure":".*","write":".*","read":".*"}'
# The service trusts a key made for this run (no users service needed).
jwks="$(dotnet "$bench" key "$work/key.pem")"

log "starting the items service on 127.0.0.1:$port..."
ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
ConnectionStrings__items="Host=127.0.0.1;Port=$PG_PORT;Database=$database;Username=${PG_USER:-postgres}" \
Auth__Jwks="$jwks" Auth__JwksUrl="" \
RabbitMq__Port="$RABBITMQ_PORT" RabbitMq__VirtualHost="$vhost" RabbitMq__Username="$rabbit_user" RabbitMq__Password="$rabbit_password" \
Logging__LogLevel__Default=Warning \
  dotnet services/Items/bin/Release/net10.0/Items.dll >"$work/items.log" 2>&1 &
service_pid=$!
ready() { curl -fsS "http://127.0.0.1:$port/health/ready" -o /dev/null 2>/dev/null; }
wait_for "the items service" 60 ready || { cat "$work/items.log" >&2; exit 1; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg), .NET $(dotnet --version)"
RABBITMQ_PORT="$RABBITMQ_PORT" RABBITMQ_USER="$rabbit_user" RABBITMQ_PASSWORD="$rabbit_password" \
  dotnet "$bench" run --url "http://127.0.0.1:$port" --key "$work/key.pem" --vhost "$vhost" --service-pid "$service_pid" "$@"
