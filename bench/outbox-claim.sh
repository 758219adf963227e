#!/usr/bin/env bash
# The outbox relay's claim against the rows marked sent since the table's last vacuum, planned as a
# bitmap scan (PostgreSQL's default choice) and as the relay's session plans it (bitmap scans off since
# 9c26a31, sequential scans off since 8a41e74): an index scan.
#   bench/outbox-claim.sh            # PostgreSQL of infra/servers.sh (started if needed), 127.0.0.1:5432
# PGHOST, PGPORT, PGUSER choose another server; COUNTS the marked rows ("1000 10000 40000 160000");
# CLAIMS how many claims each measurement averages (300). Works in a scratch database
# outbox_claim_bench, dropped at the end. Prints one row per count: mean ms per claim, bitmap / index.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
COUNTS="${COUNTS:-1000 10000 40000 160000}"
CLAIMS="${CLAIMS:-300}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$PG_BIN/pgbench" ] && PATH="$PG_BIN:$PATH"
command -v pgbench >/dev/null || { echo "outbox-claim.sh: pgbench not found (PostgreSQL 15's bin)" >&2; exit 1; }
pg_isready -q 2>/dev/null || "$here/../infra/servers.sh" start postgres >/dev/null

db=outbox_claim_bench
work="$(mktemp -d)"
trap 'rm -rf -- "$work"; psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null

# The outbox as the migrations create it (shared/Messaging), autovacuum off so that nothing but this
# script vacuums it.
psql -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE outbox_messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id uuid NOT NULL DEFAULT gen_random_uuid(),
    message_type varchar(300) NOT NULL DEFAULT 'Store.Contracts.OrderPlaced, Store.Contracts',
    body jsonb NOT NULL,
    ordering_key varchar(200),
    correlation_id varchar(128),
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    last_error varchar(1000),
    next_attempt_at timestamptz) WITH (autovacuum_enabled = false);
CREATE INDEX ix_outbox_messages_correlation_id ON outbox_messages (correlation_id);
CREATE INDEX ix_outbox_messages_sent_at ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX ix_outbox_messages_unsent ON outbox_messages (id) WHERE sent_at IS NULL;
CREATE INDEX ix_outbox_messages_waiting_keys ON outbox_messages (ordering_key) WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL;
SQL

# The relay's claim (OutboxRelay.ClaimAsync), nothing in flight, a batch of 500.
claim='WITH waiting AS MATERIALIZED (
    SELECT w.ordering_key, min(w.id) AS first_id FROM outbox_messages w
    WHERE w.sent_at IS NULL AND w.next_attempt_at IS NOT NULL AND w.next_attempt_at > now()
    GROUP BY w.ordering_key)
SELECT m.* FROM outbox_messages m
WHERE m.sent_at IS NULL
  AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now())
  AND NOT EXISTS (SELECT 1 FROM waiting w WHERE w.ordering_key = m.ordering_key AND w.first_id < m.id)
  AND m.id <> ALL(ARRAY[0]::bigint[])
ORDER BY m.id
LIMIT 500;'
printf '%s\n' "$claim" >"$work/bitmap.sql"
printf 'SET enable_bitmapscan = off;\nSET enable_seqscan = off;\n%s\n' "$claim" >"$work/index.sql"

mean_ms() { pgbench -n -M prepared -f "$1" -t "$CLAIMS" "$db" 2>/dev/null | awk '/latency average/ {print $4}'; }

echo "| rows marked sent since the last vacuum | bitmap scan, ms per claim | index scan, ms per claim |"
echo "|---|---|---|"
marked=0
for count in $COUNTS; do
  # Rows inserted and then marked sent, as purchases and the relay leave them; five unsent at the end.
  psql -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO outbox_messages (body, ordering_key, correlation_id)
SELECT '{"order_id": 1, "item_id": 2, "quantity": 1, "user_id": 3}', 'Item/' || (g % 1000), md5(g::text)
FROM generate_series(1, $((count - marked))) g;
UPDATE outbox_messages SET sent_at = now() WHERE sent_at IS NULL;
INSERT INTO outbox_messages (body, ordering_key) SELECT '{}', 'Item/1' FROM generate_series(1, 5);
SQL
  marked=$count
  echo "| $count | $(mean_ms "$work/bitmap.sql") | $(mean_ms "$work/index.sql") |"
  psql -q -d "$db" -c "UPDATE outbox_messages SET sent_at = now() WHERE sent_at IS NULL" >/dev/null
done
psql -q -d "$db" -c "VACUUM outbox_messages" -c "INSERT INTO outbox_messages (body, ordering_key) SELECT '{}', 'Item/1' FROM generate_series(1, 5)" >/dev/null
echo "| 0 (after VACUUM) | $(mean_ms "$work/bitmap.sql") | $(mean_ms "$work/index.sql") |"
