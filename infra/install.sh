#!/usr/bin/env bash
# Installs what running and testing the suite needs and is missing: PostgreSQL 15, RabbitMQ, curl;
# and the commands named as arguments (Debian packages of the same name), e.g. `install.sh wrk jq`.
# Idempotent and quiet when everything is already there. Debian/Ubuntu, as root (or with sudo).
set -euo pipefail
source "$(dirname "$0")/env.sh"

missing=()
[ -x "$PG_BIN/postgres" ] || missing+=(postgresql)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v curl >/dev/null || missing+=(curl)
for command in "$@"; do command -v "$command" >/dev/null || missing+=("$command"); done
[ ${#missing[@]} -eq 0 ] && exit 0

command -v apt-get >/dev/null || die "missing ${missing[*]}: install them with your package manager"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
log "installing ${missing[*]} (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# policy-rc.d stops the packages from starting system-wide servers on the default ports:
# the suite runs its own instances (infra/servers.sh).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed ${missing[*]}"
