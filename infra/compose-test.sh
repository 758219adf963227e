#!/usr/bin/env bash
# docker-compose.yml run end to end, as a newcomer runs it: builds and starts the suite with
# `docker-compose up --build -d`, waits for the gateway's /health, runs the README's walkthrough
# through the gateway (infra/walkthrough.sh), finds the purchase's e-mail in Mailpit's API, and then
# proves that queued events survive `down` + `up`: with the audit log stopped, a purchase is made,
# the suite goes down (volumes kept) and up again, and the purchase's audit row appears. Ends with
# `down -v`, also on failure. Needs a Docker engine with the images the compose file names (or a
# registry to pull them from) and the suite's ports free. CI runs it.
#   infra/compose-test.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

compose() { docker-compose -p store-compose-test "$@"; }
gateway="http://127.0.0.1:8080"
export ADMIN_PASSWORD="compose-test-admin-$RANDOM$RANDOM"
export ADMIN_USERNAME=admin

command -v docker-compose >/dev/null || die "docker-compose is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers"
for port in 8080 5432 5672 15672 8025; do
  if port_open "$port"; then die "port $port is in use: stop what listens there first"; fi
done

cleanup() { compose down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

healthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$gateway/health")" = 200 ]; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
call() { # METHOD PATH [curl args...]: prints the body, fails on a status of 400 or more
  local method=$1 path=$2; shift 2
  curl -sS --fail-with-body -X "$method" "$gateway$path" "$@" || die "$method $path failed"
}

started=$(date +%s)
compose up --build -d >/dev/null 2>&1 || { compose logs --tail=50 >&2 || true; die "docker-compose up --build failed"; }
wait_for "the gateway's /health" 300 healthy || { compose ps >&2; die "the suite did not become healthy"; }
log "compose: built and healthy in $(( $(date +%s) - started )) s"

infra/walkthrough.sh "$gateway"

# The walkthrough's user got an e-mail: Mailpit has it.
mailed() { curl -sf "http://127.0.0.1:8025/api/v1/messages" | grep -q '@example.com'; }
wait_for "the purchase's e-mail in Mailpit" 30 mailed || die "Mailpit received no e-mail"
log "compose: Mailpit has the purchase's e-mail"

# Persistence: an event queued while its consumer is down survives down + up.
admin_token=$(call POST /api/auth/token -d "username=$ADMIN_USERNAME" -d "password=$ADMIN_PASSWORD" | field access_token)
user="keep$(date +%s)$RANDOM"
call POST /api/users -H 'content-type: application/json' \
  -d "{\"username\": \"$user\", \"email\": \"$user@example.com\", \"password\": \"$user-password\"}" >/dev/null
user_token=$(call POST /api/auth/token -d "username=$user" -d "password=$user-password" | field access_token)
item_id=$(call POST /api/items -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
  -d '{"name": "Kept lamp", "price": 5, "stock": 3}' | field id)
compose stop audit-log >/dev/null 2>&1
order_id=$(call POST "/api/items/$item_id/purchase" -H "authorization: Bearer $user_token" \
  -H 'content-type: application/json' -d '{"quantity": 1}' | field id)
[ -n "$order_id" ] || die "the purchase returned no order"
# The event has left the items service's outbox and waits in the audit-log queue.
sent() { compose exec -T postgres psql -U store -d items -tAc \
  "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL" 2>/dev/null | grep -qx 0; }
wait_for "the purchase's event to reach the broker" 30 sent || die "the event did not leave the outbox"
compose down >/dev/null 2>&1
compose up -d >/dev/null 2>&1 || die "docker-compose up after down failed"
wait_for "the gateway's /health after down + up" 300 healthy || die "the suite did not come back"
admin_token=$(call POST /api/auth/token -d "username=$ADMIN_USERNAME" -d "password=$ADMIN_PASSWORD" | field access_token)
audited() { call GET "/api/audit?event_type=OrderPlaced&resource_id=$order_id" -H "authorization: Bearer $admin_token" | grep -q "\"resource_id\":\"$order_id\""; }
wait_for "order $order_id's audit row after down + up" 60 audited || die "the queued event was lost over down + up"
log "compose: an event queued while the audit log was down reached it after down + up"
echo "compose: built, healthy, walkthrough, e-mail in Mailpit, an event kept over down + up: all through $gateway"
