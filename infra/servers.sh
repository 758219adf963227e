#!/usr/bin/env bash
# Starts, stops and reports the PostgreSQL and RabbitMQ servers the suite uses, as background
# processes on loopback owned by unprivileged users, with their data under .data/ (git-ignored).
#   infra/servers.sh start|stop|status [postgres] [rabbitmq]
# Ports: PG_PORT (5432), RABBITMQ_PORT (5672), RABBITMQ_MANAGEMENT_PORT (15672), RABBITMQ_DIST_PORT (25672);
# RABBITMQ_NODENAME (rabbit@localhost) tells two instances on one machine apart.
# Idempotent: start leaves a running server alone; stop leaves alone what is not running.
set -euo pipefail
source "$(dirname "$0")/env.sh"

# Runs a command as another user (when root; as oneself otherwise). spawn_as does it in the
# background, leaving the program's own pid in $! (setpriv and env exec, so no wrapper is between).
as_user() { local user=$1; shift; setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; }
spawn_as() { local user=$1; shift; setpriv --reuid="$user" --regid="$user" --init-groups -- "$@" & }
if [ "$(id -u)" -ne 0 ]; then
  as_user() { shift; "$@"; }
  spawn_as() { shift; "$@" & }
fi

# The servers run as their own users, which must be able to reach their folders under DATA_DIR:
# a DATA_DIR made by `mktemp -d` (mode 700) or under a private home would stop initdb. Only the
# search bit is added, to DATA_DIR and each folder above it that lacks it, so nothing becomes listable.
open_data_dir() {
  mkdir -p "$DATA_DIR"
  local dir
  dir=$(cd "$DATA_DIR" && pwd -P)
  while [ "$dir" != / ]; do
    [ "$(stat -c %A "$dir" | cut -c10)" = x ] || chmod a+x "$dir"
    dir=$(dirname "$dir")
  done
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_start() {
  if pg_running; then return 0; fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by another process: set PG_PORT to a free port"
  open_data_dir
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    install -d -o postgres -g postgres -m 700 "$PG_DATA"
    as_user postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DATA_DIR/postgres-init.log" 2>&1 \
      || die "initdb failed: see $DATA_DIR/postgres-init.log"
  fi
  # Tests run many databases side by side, each with its own connection pool.
  as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c max_connections=500" start >/dev/null \
    || die "PostgreSQL did not start: see $PG_DATA/server.log"
  log "PostgreSQL is up on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  pg_running || return 0
  as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  log "PostgreSQL stopped"
}

# --- RabbitMQ ----------------------------------------------------------------------------------
# The environment of this RabbitMQ instance (a rabbitmqctl run by hand needs it too).
rabbit_env=(env HOME=/var/lib/rabbitmq
  RABBITMQ_NODENAME="$RABBITMQ_NODENAME"
  RABBITMQ_MNESIA_BASE="$RABBITMQ_BASE/mnesia"
  RABBITMQ_LOG_BASE="$RABBITMQ_BASE/log"
  RABBITMQ_CONFIG_FILE="$RABBITMQ_BASE/rabbitmq.conf"
  RABBITMQ_ENABLED_PLUGINS_FILE="$RABBITMQ_BASE/enabled_plugins"
  RABBITMQ_PID_FILE="$RABBITMQ_BASE/rabbit.pid"
  RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT"
  ERL_EPMD_ADDRESS=127.0.0.1
  "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}")
rabbit_ready() { curl -fs -o /dev/null -u guest:guest "http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/api/overview"; }
rabbit_pid() { [ -s "$RABBITMQ_BASE/server.pid" ] && kill -0 "$(cat "$RABBITMQ_BASE/server.pid")" 2>/dev/null && cat "$RABBITMQ_BASE/server.pid"; }
rabbit_running() { rabbit_pid >/dev/null; }

rabbit_start() {
  if rabbit_running; then wait_for "RabbitMQ" 60 rabbit_ready; return; fi
  port_open "$RABBITMQ_PORT" && die "port $RABBITMQ_PORT is taken by another process: set RABBITMQ_PORT to a free port"
  open_data_dir
  install -d -o rabbitmq -g rabbitmq "$RABBITMQ_BASE" "$RABBITMQ_BASE/mnesia" "$RABBITMQ_BASE/log"
  cat >"$RABBITMQ_BASE/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
CONF
  echo '[rabbitmq_management].' >"$RABBITMQ_BASE/enabled_plugins"
  chown rabbitmq:rabbitmq "$RABBITMQ_BASE/rabbitmq.conf" "$RABBITMQ_BASE/enabled_plugins"

  # epmd (Erlang's name server) is started here, on loopback, so that its pid is known and stop
  # can end it; otherwise the server would spawn one that outlives it.
  if ! port_open 4369; then
    spawn_as rabbitmq env HOME=/var/lib/rabbitmq epmd -address 127.0.0.1 >/dev/null 2>&1
    echo $! >"$RABBITMQ_BASE/epmd.pid"
  fi
  spawn_as rabbitmq "${rabbit_env[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server >"$RABBITMQ_BASE/server.out" 2>&1
  echo $! >"$RABBITMQ_BASE/server.pid"
  wait_for "RabbitMQ" 90 rabbit_ready || die "RabbitMQ did not start: see $RABBITMQ_BASE/server.out and $RABBITMQ_BASE/log"
  log "RabbitMQ is up on 127.0.0.1:$RABBITMQ_PORT (management UI http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT, guest/guest)"
}

rabbit_stop() {
  local pid beam
  if pid=$(rabbit_pid); then
    # SIGTERM to the Erlang VM (the server script's child) is RabbitMQ's graceful shutdown, as
    # `rabbitmqctl stop` is, without starting the CLI's own Erlang VM first: that took up to a
    # minute on a busy machine.
    beam=$(ps -o pid= --ppid "$pid" | head -n 1 | tr -d ' ')
    kill -TERM "${beam:-$pid}" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      [ -n "$beam" ] && kill -9 "$beam" 2>/dev/null
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "RabbitMQ stopped"
  fi
  rm -f "$RABBITMQ_BASE/server.pid"
  if [ -s "$RABBITMQ_BASE/epmd.pid" ]; then
    kill "$(cat "$RABBITMQ_BASE/epmd.pid")" 2>/dev/null || true
    rm -f "$RABBITMQ_BASE/epmd.pid"
  fi
}

status() {
  local rc=0
  if pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT"; else echo "postgresql: stopped"; rc=3; fi
  if rabbit_running && rabbit_ready; then
    echo "rabbitmq:   running on 127.0.0.1:$RABBITMQ_PORT, management UI http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT"
  else echo "rabbitmq:   stopped"; rc=3; fi
  return $rc
}

# Which servers to act on: all by default, or those named after the command.
want() { [ ${#servers[@]} -eq 0 ] || [[ " ${servers[*]} " == *" $1 "* ]]; }
command=${1:-}; shift || true
servers=("$@")
case "$command" in
  start)
    "$(dirname "$0")/install.sh"
    want postgres && pg_start
    want rabbitmq && rabbit_start
    ;;
  stop)
    want rabbitmq && rabbit_stop
    want postgres && pg_stop
    ;;
  status) status; exit ;;
  *) echo "usage: $0 start|stop|status [postgres] [rabbitmq]" >&2; exit 2 ;;
esac
exit 0
