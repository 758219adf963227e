#!/usr/bin/env bash
# Runs the whole suite on this machine without Docker:
#   infra/up.sh               installs what is missing, starts PostgreSQL and RabbitMQ, builds once,
#                             starts every service and the gateway, waits until they are healthy,
#                             prints the URLs, and stops everything on Ctrl-C.
#   infra/up.sh --background  the same, but returns once the suite is up; stop it with infra/down.sh.
# Logs: .run/logs/<process>.log (one file per process). Ports: see infra/env.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

background=no
[ "${1:-}" = "--background" ] && background=yes

"$REPO_ROOT/infra/install.sh"
command -v dotnet >/dev/null || die "the .NET SDK is missing: install the .NET 10 SDK (see README.md)"
[ -z "$(ls "$RUN_DIR"/pids/*.pid 2>/dev/null)" ] || die "the suite is already running (infra/down.sh stops it)"
"$REPO_ROOT/infra/servers.sh" start

# The first admin's password is made on the first run and kept (git-ignored) in .data/.
mkdir -p "$DATA_DIR" "$RUN_DIR/logs" "$RUN_DIR/pids"
admin_file="$DATA_DIR/admin-password"
[ -s "$admin_file" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$admin_file")
ADMIN_USERNAME="${ADMIN_USERNAME:-admin}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-$(cat "$admin_file")}"

projects=()
for entry in "${SUITE[@]}"; do
  read -r _ project _ <<<"$entry"
  [ -f "$project" ] && projects+=("$project")
done
# Published ReadyToRun (precompiled): a process starts answering at full speed instead of spending
# its first minute of load compiling its code (docs/benchmarks.md, "Start-up and warm-up").
log "publishing ${#projects[@]} projects (Release, ReadyToRun)..."
for project in "${projects[@]}"; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$RUN_DIR/app/$(basename "$project" .csproj)" -nologo -v quiet >"$RUN_DIR/logs/build.log" 2>&1 ||
    die "publishing $project failed: see $RUN_DIR/logs/build.log"
done

port_of() { local e n p; for e in "${SUITE[@]}"; do read -r n _ p <<<"$e"; if [ "$n" = "$1" ]; then echo "$p"; fi; done; }
stop_all() { "$REPO_ROOT/infra/down.sh"; }
sleeper=""
[ "$background" = yes ] || trap 'echo; [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null; stop_all; exit 0' INT TERM

healthy() {
  local name=$1 port path=/health/ready
  port=$(port_of "$name")
  curl -fs -o /dev/null "http://127.0.0.1:$port$path"
}
wait_healthy() {
  local name
  for name in "$@"; do
    if ! wait_for "$name" 60 healthy "$name"; then
      tail -n 20 "$RUN_DIR/logs/$name.log" >&2
      stop_all
      die "$name did not become healthy: see $RUN_DIR/logs/$name.log"
    fi
  done
}

# Each service's /docs logs in through the gateway's token endpoint, which allows those pages' origins.
docs_settings=("Docs__TokenUrl=http://127.0.0.1:$(port_of gateway)/api/auth/token")
origin=0
for name in users items audit-log notifications; do
  for host in localhost 127.0.0.1; do
    docs_settings+=("Cors__DocsOrigins__$origin=http://$host:$(port_of "$name")")
    origin=$((origin + 1))
  done
done

# Each service also listens on a Unix socket in .run/sockets/, and the gateway reaches it there: no
# loopback TCP on each request's way in and out, and HTTP/2, one connection for many requests
# (docs/benchmarks.md, "The gateway's hop over a Unix socket"). A socket's path has at most 107
# bytes; under a longer RUN_DIR everything stays on TCP.
sockets_dir="$(cd "$RUN_DIR" && pwd)/sockets" # absolute: Kestrel reads http://unix:/... only
socket_of() { echo "$sockets_dir/$1.sock"; }
socket_settings=()
if [ "${#sockets_dir}" -le 80 ]; then
  mkdir -p "$sockets_dir"
  for entry in users:users items:items audit:audit-log notifications:notifications; do
    cluster=${entry%%:*} name=${entry#*:}
    socket_settings+=("UnixSockets__Destinations__${cluster}__Address=http://127.0.0.1:$(port_of "$name")/"
      "UnixSockets__Destinations__${cluster}__Path=$(socket_of "$name")")
  done
fi

started=()
for entry in "${SUITE[@]}"; do
  read -r name project port <<<"$entry"
  [ -f "$project" ] || continue
  # The gateway last, once the services are ready: its health probes would otherwise find them
  # starting, and it would keep them out of rotation (503) until its next probe, seconds later.
  [ "$name" != gateway ] || wait_healthy "${started[@]}"
  # Started from its published output, so that its appsettings.json is its content root's. It runs
  # as docker compose and Kubernetes run it, in Production (ASPNETCORE_ENVIRONMENT=Development for
  # the developer exception page and scope validation, which cost a few % of CPU per request), with
  # a signing key generated on the first run and kept in .data/, and with a fixed gen0 budget and
  # no tiering delay, as infra/docker/service.Dockerfile and docker-compose.yml give them (why: there).
  bin="$RUN_DIR/app/$(basename "$project" .csproj)"
  gen0_budget=0x2000000
  priority=0
  # The two consumers yield the CPU to the request path when both want it (nice 10, CONSUMER_NICE):
  # under more load than the machine serves, requests keep their pace and the events wait in their
  # durable queues a moment longer; below that nothing changes. Under docker compose (cpu_shares)
  # and on Kubernetes (their CPU requests) they have a smaller share too.
  case "$name" in audit-log | notifications) gen0_budget=0x800000 priority=${CONSUMER_NICE:-10} ;; esac
  urls="http://127.0.0.1:$port"
  if [ "$name" != gateway ] && [ "${#socket_settings[@]}" -gt 0 ]; then
    rm -f "$(socket_of "$name")" # left by a process that was killed
    urls="$urls;http://unix:$(socket_of "$name")"
  fi
  ASPNETCORE_URLS="$urls" \
  ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}" DOTNET_GCgen0size="${DOTNET_GCgen0size:-$gen0_budget}" \
  DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}" \
  ConnectionStrings__users="Host=127.0.0.1;Port=$PG_PORT;Database=users;Username=postgres" \
  ConnectionStrings__items="Host=127.0.0.1;Port=$PG_PORT;Database=items;Username=postgres" \
  ConnectionStrings__audit="Host=127.0.0.1;Port=$PG_PORT;Database=audit;Username=postgres" \
  ConnectionStrings__notifications="Host=127.0.0.1;Port=$PG_PORT;Database=notifications;Username=postgres" \
  RabbitMq__Host=127.0.0.1 RabbitMq__Port="$RABBITMQ_PORT" RabbitMq__ManagementUrl="http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/" \
  Auth__JwksUrl="http://127.0.0.1:$(port_of users)/.well-known/jwks.json" \
  Admin__Username="$ADMIN_USERNAME" Admin__Password="$ADMIN_PASSWORD" Admin__Email="${ADMIN_EMAIL:-admin@example.com}" \
  ReverseProxy__Clusters__users__Destinations__default__Address="http://127.0.0.1:$(port_of users)/" \
  ReverseProxy__Clusters__items__Destinations__default__Address="http://127.0.0.1:$(port_of items)/" \
  ReverseProxy__Clusters__audit__Destinations__default__Address="http://127.0.0.1:$(port_of audit-log)/" \
  ReverseProxy__Clusters__notifications__Destinations__default__Address="http://127.0.0.1:$(port_of notifications)/" \
  Jwt__GenerateKey=true Jwt__GeneratedKeyFile="$DATA_DIR/signing.dev-key.json" \
    env "${docs_settings[@]}" "${socket_settings[@]}" nohup nice -n "$priority" dotnet "$bin/$(basename "$project" .csproj).dll" --contentRoot "$bin" >"$RUN_DIR/logs/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/pids/$name.pid"
  started+=("$name")
done

wait_healthy "${started[@]}"

echo
echo "The suite is up:"
for name in "${started[@]}"; do
  port=$(port_of "$name")
  if [ "$name" = gateway ]; then
    echo "  gateway         http://127.0.0.1:$port  (health: /health, docs: /docs, operations: /ops)"
  else
    printf '  %-15s http://127.0.0.1:%s/docs\n' "$name" "$port"
  fi
done
echo "  RabbitMQ UI     http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT  (guest/guest)"
echo "  admin login     $ADMIN_USERNAME / $ADMIN_PASSWORD"
echo "  logs            $RUN_DIR/logs/"
if [ "$background" = yes ]; then
  echo "Stop it with infra/down.sh."
  exit 0
fi
echo "Ctrl-C stops everything."
while true; do sleep 3600 & sleeper=$!; wait "$sleeper"; done
