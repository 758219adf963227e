#!/usr/bin/env bash
# Stops what infra/up.sh started: every service and the gateway (by the pids it recorded), then
# PostgreSQL and RabbitMQ. Safe to run when nothing runs.
set -euo pipefail
source "$(dirname "$0")/env.sh"

for pidfile in "$RUN_DIR"/pids/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    log "stopped $(basename "$pidfile" .pid)"
  fi
  rm -f "$pidfile"
done
"$REPO_ROOT/infra/servers.sh" stop
