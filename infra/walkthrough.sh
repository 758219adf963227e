#!/usr/bin/env bash
# The README's walkthrough against a running suite, only through its gateway: registers a user, logs
# in, creates an item as admin, buys it, is refused (409) past the stock, and waits for the
# purchase's audit row and notification (carrying the purchase's X-Request-Id), then reads what the
# /ops page reads: the page itself, the outbox's events of that request, and the queues.
#   infra/walkthrough.sh GATEWAY_URL          ADMIN_PASSWORD (and ADMIN_USERNAME, default admin) set
# infra/smoke.sh runs it on infra/up.sh, infra/compose-test.sh on docker compose.
set -euo pipefail
source "$(dirname "$0")/env.sh"
gateway="${1:?usage: infra/walkthrough.sh GATEWAY_URL}"
admin_password="${ADMIN_PASSWORD:?set ADMIN_PASSWORD to the password of the first admin}"

# The value of a top-level string or number field of a JSON body (enough for these answers).
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
fail() { echo "walkthrough: $*" >&2; exit 1; }
call() { # METHOD PATH [curl args...]: prints the body, fails on a status of 400 or more
  local method=$1 path=$2; shift 2
  curl -sS --fail-with-body -X "$method" "$gateway$path" "$@" || fail "$method $path failed"
}

user="walk$(date +%s)$RANDOM"
call POST /api/users -H 'content-type: application/json' \
  -d "{\"username\": \"$user\", \"email\": \"$user@example.com\", \"password\": \"$user-password\"}" >/dev/null
user_token=$(call POST /api/auth/token -d "username=$user" -d "password=$user-password" | field access_token)
admin_token=$(call POST /api/auth/token -d "username=${ADMIN_USERNAME:-admin}" -d "password=$admin_password" | field access_token)
[ -n "$user_token" ] && [ -n "$admin_token" ] || fail "no token"

item_id=$(call POST /api/items -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
  -d '{"name": "Walkthrough lamp", "price": 20, "tax": 2, "stock": 1}' | field id)
call GET "/api/items/$item_id" >/dev/null

request_id="walkthrough-$user"
order_id=$(call POST "/api/items/$item_id/purchase" -H "authorization: Bearer $user_token" -H "X-Request-Id: $request_id" \
  -H 'content-type: application/json' -d '{"quantity": 1}' | field id)
[ -n "$order_id" ] || fail "the purchase returned no order"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$gateway/api/items/$item_id/purchase" \
  -H "authorization: Bearer $user_token" -H 'content-type: application/json' -d '{"quantity": 1}')
[ "$status" = 409 ] || fail "buying past the stock answered $status, not 409"

audited() { call GET "/api/audit?event_type=OrderPlaced&resource_id=$order_id" -H "authorization: Bearer $admin_token" | grep -q "\"correlation_id\":\"$request_id\""; }
notified() { call GET /api/notifications/me -H "authorization: Bearer $user_token" | grep -q "\"event_id\""; }
wait_for "the purchase's audit row" 30 audited || fail "no audit row for order $order_id"
wait_for "the purchase's notification" 30 notified || fail "no notification for $user"

# The operator's sources: the page, the purchase's published event, the queues as RabbitMQ's management API sees it.
# (Each body is read whole before it is searched: grep -q stopping early would fail curl's write.)
page=$(call GET /ops)
grep -q '<title>Store operations</title>' <<<"$page" || fail "/ops is not the operator's page"
events=$(call GET "/api/items/outbox/events?correlation_id=$request_id" -H "authorization: Bearer $admin_token")
grep -q '"event_type":"OrderPlaced"' <<<"$events" || fail "the outbox does not show the purchase's OrderPlaced: $events"
queues=$(call GET /api/audit/queues -H "authorization: Bearer $admin_token")
grep -q '"name":"audit-log"' <<<"$queues" \
  || fail "the audit-log queue is not listed (is RabbitMQ's management API reachable from the services?): $queues"
echo "walkthrough: register, log in, create, buy, 409 past the stock, audit row and notification, /ops and its sources: all through $gateway"
