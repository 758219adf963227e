# Settings shared by the infra scripts. Every value can be overridden from the environment.
# Sourced, not run.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${DATA_DIR:-$REPO_ROOT/.data}"

PG_PORT="${PG_PORT:-5432}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$DATA_DIR/postgres"

RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
RABBITMQ_MANAGEMENT_PORT="${RABBITMQ_MANAGEMENT_PORT:-15672}"
RABBITMQ_DIST_PORT="${RABBITMQ_DIST_PORT:-25672}"
RABBITMQ_NODENAME="${RABBITMQ_NODENAME:-rabbit@localhost}"
RABBITMQ_BASE="$DATA_DIR/rabbitmq"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to $2 seconds for a command to succeed.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out after ${seconds}s waiting for $what"; return 1; }
    sleep 0.5
  done
}

# The suite's processes: name, project, port (a project missing from a checkout is skipped).
SUITE=(
  "users services/Users/Users.csproj ${USERS_PORT:-5101}"
  "items services/Items/Items.csproj ${ITEMS_PORT:-5102}"
  "audit-log services/AuditLog/AuditLog.csproj ${AUDIT_PORT:-5103}"
  "notifications services/Notifications/Notifications.csproj ${NOTIFICATIONS_PORT:-5104}"
  "gateway gateway/Gateway.csproj ${GATEWAY_PORT:-8080}"
)
RUN_DIR="${RUN_DIR:-$REPO_ROOT/.run}"
