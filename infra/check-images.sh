#!/usr/bin/env bash
# Checks what `docker compose up --build` and `kubectl apply -k infra/k8s` need, without a Docker
# engine or a cluster: the compose file is valid, every image's build step (the `dotnet publish` in
# infra/docker/service.Dockerfile) succeeds for each PROJECT the compose file builds, and the
# Kubernetes manifests render with probes and resources on every Deployment.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

if ! command -v docker-compose >/dev/null; then
  log "installing docker-compose (apt-get) to validate docker-compose.yml..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    || { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
fi
# The first admin's password is required at `up`; any value validates the file.
ADMIN_PASSWORD="${ADMIN_PASSWORD:-validation-only}" docker-compose config -q
log "docker-compose.yml is valid"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
projects=$(sed -n 's/^ *PROJECT: *//p' docker-compose.yml | sort -u)
[ -n "$projects" ] || die "docker-compose.yml builds no PROJECT"
for project in $projects; do
  [ -f "$project" ] || die "docker-compose.yml builds $project, which does not exist"
  # The same commands as the Dockerfile's build stage.
  dotnet restore "$project" -nologo -v quiet || die "restoring $project failed"
  dotnet publish "$project" -c Release -o "$out/$(basename "$project" .csproj)" -p:UseAppHost=false --no-restore -nologo -v quiet \
    || die "publishing $project failed"
  log "published $project"
done

if command -v kubectl >/dev/null; then
  manifests=$(kubectl kustomize infra/k8s) || die "infra/k8s does not render"
  deployments=$(grep -c '^kind: Deployment' <<<"$manifests")
  for part in readinessProbe livenessProbe startupProbe 'requests:' 'limits:'; do
    n=$(grep -c " $part" <<<"$manifests")
    [ "$n" -eq "$deployments" ] || die "infra/k8s: $n of $deployments Deployments have $part"
  done
  log "infra/k8s renders: $deployments Deployments, each with probes and resources"
else
  log "kubectl is not installed: infra/k8s was not rendered"
fi
