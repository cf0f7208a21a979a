#!/usr/bin/env bash
# `npm test`: everything CI runs, in order: lint, typecheck, unit tests, lab integration
# tests (the production build beside them), then the Playwright e2e suite against the lab.
# The lab VM is booted once and shared by the lab and e2e suites; it is stopped at the end
# only if this run started it (LVS_KEEP_LAB=1 keeps it).
set -uo pipefail
cd "$(dirname "$0")/.."
bash bin/ensure-deps.sh || exit 1
mkdir -p test-results
rm -f test-results/*.json

started_lab=0
bash lab/status.sh >/dev/null 2>&1 || started_lab=1
cleanup() {
  if [ "$started_lab" = 1 ] && [ "${LVS_KEEP_LAB:-0}" != 1 ]; then bash lab/down.sh || true; fi
}
trap cleanup EXIT

failed=()
T0=$(date +%s)
step() {
  local name=$1; shift
  local t=$(date +%s)
  echo; echo "=== $name: $*"
  if "$@"; then echo "=== $name: ok in $(( $(date +%s) - t ))s"; else echo "=== $name: FAILED in $(( $(date +%s) - t ))s"; failed+=("$name"); fi
}

# A step that runs in the background while others run: `wait_bg NAME` waits for it (its exit code
# is the step's), then shows its output and how long it ran.
declare -A bg_pid bg_log bg_t0
start_bg() {
  local name=$1; shift
  bg_log[$name]=test-results/$name.log
  "$@" >"${bg_log[$name]}" 2>&1 &
  bg_pid[$name]=$!
  bg_t0[$name]=$(date +%s)
}
wait_bg() {
  local name=$1 rc=0
  wait "${bg_pid[$name]}" || rc=$?
  cat "${bg_log[$name]}"
  echo "($name ran in the background: $(( $(date +%s) - bg_t0[$name] ))s since it started)"
  return "$rc"
}

# The lab VM boots (about a minute or two of emulated CPU) while lint, typecheck and the unit tests
# run: none of them needs it. Its output is shown when the lab step waits for it.
start_bg lab-up bash lab/up.sh

# Typecheck beside lint (each is one process on one core); the unit tests on two workers (vitest's
# default on a 2-core machine is one): once the lab has booted, the machine has a core to spare.
start_bg typecheck npm run -s typecheck
step lint npm run -s lint
step typecheck wait_bg typecheck
# The unit tests, and the store suites again on a throwaway PostgreSQL (#16), in one run.
step unit npx vitest run --project unit --project store-pg --maxWorkers=2 --reporter=default --reporter=json --outputFile.json=test-results/unit.json
step lab-up wait_bg lab-up

# The production build needs no lab, and the lab tests mostly wait on the VM (one emulated CPU):
# the build runs beside them, on the other core, and e2e waits for both.
start_bg build npm run -s build

step lab npx vitest run --project lab --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test-results/lab.json
step build wait_bg build
step e2e npx playwright test

echo
echo "=== total $(( $(date +%s) - T0 ))s; failed steps: ${failed[*]:-none}"
# One closing line that counts every test of every suite.
node bin/test-summary.mjs test-results/unit.json test-results/lab.json test-results/e2e.json
((${#failed[@]} == 0))
