#!/usr/bin/env bash
# Moves every message of QUEUE_error back to QUEUE, to be consumed again (e.g. the notifications that
# failed while the SMTP server was down, once it is back):
#   infra/replay-errors.sh notifications            # vhost "/"
#   VHOST=store infra/replay-errors.sh audit-log
# Uses RabbitMQ's management HTTP API (no shovel plugin needed): each message is taken from the
# _error queue with ack mode "ack_requeue_false", published to QUEUE through the default exchange
# with its headers and properties, one at a time. A message is taken only after the previous one's
# publish was routed, so a failure stops the replay with the rest still in the _error queue; a crash
# between the get and the publish can lose that one message (the management API has no transaction
# spanning both; a publish that is not routed puts the message back in the _error queue).
# The consumers' unique event_id makes a replayed message that was in fact handled a no-op.
# Settings: RABBITMQ_MANAGEMENT_URL (default http://127.0.0.1:15672), RABBITMQ_USER/RABBITMQ_PASSWORD
# (default guest/guest, as infra/up.sh runs RabbitMQ; under docker compose: store/store), VHOST (default /).
set -euo pipefail
source "$(dirname "$0")/env.sh"

queue="${1:-}"
[ -n "$queue" ] || die "usage: $0 QUEUE   (moves QUEUE_error back to QUEUE)"
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"
api="${RABBITMQ_MANAGEMENT_URL:-http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT}/api"
auth="${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD:-guest}"
vhost=$(jq -rn --arg v "${VHOST:-/}" '$v|@uri')
error_queue="${queue}_error"

call() { curl -fsS -u "$auth" -H 'content-type: application/json' "$@"; }

call "$api/queues/$vhost/$(jq -rn --arg q "$queue" '$q|@uri')" >/dev/null \
  || die "queue $queue not found on vhost ${VHOST:-/}"
moved=0
while :; do
  message=$(call -X POST "$api/queues/$vhost/$(jq -rn --arg q "$error_queue" '$q|@uri')/get" \
    -d '{"count":1,"ackmode":"ack_requeue_false","encoding":"base64","truncate":50000000}' | jq -c '.[0] // empty')
  [ -n "$message" ] || break
  routed=$(jq -c --arg q "$queue" '{
      properties: (.properties | del(.headers["MT-Fault-Message","MT-Fault-ExceptionType","MT-Fault-StackTrace","MT-Fault-Timestamp","MT-Reason","MT-Fault-ConsumerType","MT-Fault-MessageType","MT-Host-MachineName","MT-Host-ProcessName","MT-Host-ProcessId","MT-Host-Assembly","MT-Host-AssemblyVersion","MT-Host-MassTransitVersion","MT-Host-FrameworkVersion","MT-Host-OperatingSystemVersion"]? )),
      routing_key: $q, payload: .payload, payload_encoding: "base64"}' <<<"$message" \
    | call -X POST "$api/exchanges/$vhost/amq.default/publish" -d @- | jq -r '.routed')
  if [ "$routed" != "true" ]; then
    # Put it back where it came from rather than drop it.
    jq -c --arg q "$error_queue" '{properties: .properties, routing_key: $q, payload: .payload, payload_encoding: "base64"}' <<<"$message" \
      | call -X POST "$api/exchanges/$vhost/amq.default/publish" -d @- >/dev/null
    die "publishing to $queue was not routed; it is back in $error_queue, $moved message(s) moved"
  fi
  moved=$((moved + 1))
done
log "moved $moved message(s) from $error_queue back to $queue"
