#!/usr/bin/env bash
# Runs every test project of the solution against a real PostgreSQL and RabbitMQ: in Docker
# containers where Docker answers, otherwise as local processes (TEST_SERVERS chooses; see below).
#   infra/test.sh [extra `dotnet test` arguments, e.g. --filter Catalog]
# Installs what is missing, starts the servers that are not running, runs `dotnet test`, stops
# again what it started (also on failure or Ctrl-C), prints what the drills and sweeps counted and
# then "N passed, M failed", and exits with the tests' status.
set -uo pipefail
source "$(dirname "$0")/env.sh"
here="$REPO_ROOT/infra"
cd "$REPO_ROOT"

# Chromium, Node.js and npm: the browser tests of /ops and the /docs pages, and the OpenAPI lint.
"$here/install.sh" chromium nodejs npm || exit 1
command -v dotnet >/dev/null || die "the .NET SDK is missing: install the .NET 10 SDK (see README.md)"
# The npm folders of the end-to-end tests (Browser: puppeteer-core; OpenApiLint: Redocly's CLI),
# installed again whenever a lock file changed since the last install (a copy of it marks the install).
for npm_folder in "$REPO_ROOT"/tests/EndToEnd.Tests/{Browser,OpenApiLint}; do
  if ! cmp -s "$npm_folder/package-lock.json" "$npm_folder/node_modules/.installed-lock.json" 2>/dev/null; then
    log "installing the packages of ${npm_folder#"$REPO_ROOT"/} (npm ci)..."
    (cd "$npm_folder" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && cp package-lock.json node_modules/.installed-lock.json) \
      || die "npm ci failed in $npm_folder"
  fi
done

# Where the tests' PostgreSQL and RabbitMQ come from (tests/Testing/TestServers.cs): TEST_SERVERS=containers,
# one pair in Docker per test process, when Docker answers and has or can pull the images; otherwise
# TEST_SERVERS=running, the local servers of infra/servers.sh. Setting TEST_SERVERS chooses.
images=(postgres:15 rabbitmq:3-management) # ServerContainers.PostgresImage and .RabbitMqImage
docker_ready() {
  command -v docker >/dev/null && docker info >/dev/null 2>&1 || return 1
  local image
  for image in "${images[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 || docker pull -q "$image" >/dev/null 2>&1 || return 1
  done
}
if [ -z "${TEST_SERVERS:-}" ]; then
  if docker_ready; then TEST_SERVERS=containers; else TEST_SERVERS=running; fi
fi
export TEST_SERVERS
# Tells this run's containers apart from any other's.
export TEST_RUN_ID="test-$(date +%Y%m%d-%H%M%S)-$$"

started=()
stop_started() {
  if [ "$TEST_SERVERS" = containers ]; then
    # A test process removes its containers as it exits; this catches those of one that was killed.
    local left
    left=$(docker ps -aq --filter "label=store.tests.run=$TEST_RUN_ID")
    if [ -n "$left" ]; then docker rm -f $left >/dev/null; fi
  fi
  if [ ${#started[@]} -gt 0 ]; then "$here/servers.sh" stop "${started[@]}"; fi
  started=()
}
trap stop_started EXIT
trap 'exit 130' INT TERM
if [ "$TEST_SERVERS" = containers ]; then
  log "test servers: Docker containers (${images[*]}), one pair per test process"
  # No resource reaper is assumed to be pullable: every process removes what it started.
  export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
else
  log "test servers: local processes (infra/servers.sh); Docker was not chosen or does not answer with the images"
  # Start what is not running, and remember it so that exactly that is stopped again.
  status=$("$here/servers.sh" status 2>/dev/null)
  grep -q '^postgresql: running' <<<"$status" || started+=(postgres)
  grep -q '^rabbitmq: *running' <<<"$status" || started+=(rabbitmq)
  if [ ${#started[@]} -gt 0 ]; then "$here/servers.sh" start "${started[@]}" || exit 1; fi
fi

results="$REPO_ROOT/TestResults/run-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$results"
# What drills and sweeps counted (Store.Testing.TestReport), printed before the totals.
export TEST_REPORT="$results/report.txt"
# A test that hangs is reported (with a dump) instead of holding the run forever.
dotnet test Microservices.sln --logger trx --results-directory "$results" --blame-hang-timeout 10m "$@"
rc=$?
if [ -s "$TEST_REPORT" ]; then sort "$TEST_REPORT"; fi

# One line with the totals of every test project, read from the TRX files.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
done
# dotnet test also fails on an error outside any test (an xUnit class or collection cleanup that
# threw): it is in the TRX as a RunInfo, not a counter, and counts here as a failure too. Its text
# often goes on over many lines (a stack trace): the first one is printed.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  errors=$(grep -h -A1 '<RunInfo [^>]*outcome="Error"' "$results"/*.trx 2>/dev/null | sed -n 's/.*<Text>\([^<]*\).*/\1/p')
  if [ -n "$errors" ]; then
    echo "$errors" >&2
    failed=$(grep -c . <<<"$errors")
  else
    failed=1
  fi
fi
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
if [ "$rc" -eq 0 ] && [ "$failed" -gt 0 ]; then rc=1; fi
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then echo "no test ran" >&2; rc=1; fi
exit "$rc"
