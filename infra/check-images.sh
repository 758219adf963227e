#!/usr/bin/env bash
# Checks what `docker compose up --build` needs without a Docker engine: the compose file is valid,
# and every image's build step (the `dotnet publish` in infra/docker/service.Dockerfile) succeeds
# for each PROJECT the compose file builds.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

if ! command -v docker-compose >/dev/null; then
  log "installing docker-compose (apt-get) to validate docker-compose.yml..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    || { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
fi
docker-compose config -q
log "docker-compose.yml is valid"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
projects=$(sed -n 's/^ *PROJECT: *//p' docker-compose.yml | sort -u)
[ -n "$projects" ] || die "docker-compose.yml builds no PROJECT"
for project in $projects; do
  [ -f "$project" ] || die "docker-compose.yml builds $project, which does not exist"
  # The same command as the Dockerfile's build stage.
  dotnet publish "$project" -c Release -o "$out/$(basename "$project" .csproj)" -p:UseAppHost=false -nologo -v quiet \
    || die "publishing $project failed"
  log "published $project"
done
