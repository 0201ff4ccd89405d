#!/usr/bin/env bash
# The whole test suite: what `npm test` and CI run.
# As root: installs the Debian packages the suites need when missing, starts the one
# private Docker daemon they share, runs everything. As a normal user: runs what it
# can and says which suites it skipped and why.
set -uo pipefail
cd "$(dirname "$0")/.."
REPORTS=test/artifacts/reports
mkdir -p "$REPORTS"
rm -f "$REPORTS"/*.json
declare -a STAGES=() RESULTS=() SKIPPED=()
FAILED=0

stage() { # name command...
  local name=$1; shift
  printf '\n=== %s ===\n' "$name"
  local t0=$SECONDS
  if "$@"; then RESULTS+=("$name: ok ($((SECONDS - t0)) s)"); else RESULTS+=("$name: FAILED ($((SECONDS - t0)) s)"); FAILED=1; fi
}
skip() { SKIPPED+=("$1: skipped: $2"); printf '\n=== %s: skipped: %s ===\n' "$1" "$2"; }

IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1

if [ "$IS_ROOT" = 1 ]; then
  stage "system packages" bash scripts/install-system-deps.sh
  stage "private docker daemon" bash test/support/daemon.sh start
  export DOCKER_HOST="unix://${VETHSCOPE_TEST_ROOT:-/tmp/vethscope-test}/docker.sock"
fi

# Always build: `npm ci` builds only the node bundles, and e2e needs the renderer.
stage "build" npm run --silent build
stage "typecheck" npx tsc -b tsconfig.json
# The layout's import rules and what each bundle may hold (root's above all).
stage "architecture" bash -c 'node scripts/check-architecture.mjs && node scripts/check-bundles.mjs'
stage "unit" npx vitest run --project unit --project renderer --reporter=default --reporter=json --outputFile="$REPORTS/unit.json"
if [ "$IS_ROOT" = 1 ]; then
  stage "integration" npx vitest run --project integration --reporter=default --reporter=json --outputFile="$REPORTS/integration.json"
else
  skip "integration" "needs root for the private Docker daemon, network namespaces and tcpdump (run: sudo npm test)"
fi
if [ "$IS_ROOT" = 1 ]; then
  # Playwright in Debian's Chromium against browser mode and the private daemon; report: e2e.json.
  stage "e2e" npx playwright test
  # The same flow in a real Electron window where a binary exists; it prints why it skips where not.
  stage "e2e (electron)" npx playwright test -c test/e2e/electron.config.ts
else
  skip "e2e" "needs root for the private Docker daemon the browser tests drive"
fi
if [ "$IS_ROOT" = 1 ]; then
  # Its own private dockerd (/tmp/vethscope-hard, bridge vshbr0): the fault tests stop and start it.
  stage "hardening" npx vitest run --config test/hardening/vitest.config.ts --reporter=default --reporter=./test/hardening/summary-reporter.ts --reporter=json --outputFile="$REPORTS/hardening.json"
else
  skip "hardening" "needs root (helper as root, private dockerd, tcpdump, tmpfs mounts)"
fi

printf '\n=== summary ===\n'
printf '%s\n' "${RESULTS[@]}" "${SKIPPED[@]}"
node scripts/count-results.mjs "$REPORTS"
exit $FAILED
