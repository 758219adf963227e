#!/usr/bin/env bash
# The README's walkthrough as a smoke test: brings the suite up with infra/up.sh, runs
# infra/walkthrough.sh through the gateway, and stops the suite again, also on failure. CI runs it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

trap '"$REPO_ROOT/infra/down.sh" >/dev/null 2>&1 || true' EXIT
"$REPO_ROOT/infra/up.sh" --background >/dev/null
ADMIN_PASSWORD="${ADMIN_PASSWORD:-$(cat "$DATA_DIR/admin-password")}" \
  "$REPO_ROOT/infra/walkthrough.sh" "http://127.0.0.1:${GATEWAY_PORT:-8080}"
