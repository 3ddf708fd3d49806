#!/usr/bin/env bash
# npm test: a preflight of what the machine must have, types and lint side by side, the Electron
# security lint (electronegativity), the electron-vite build, then the vitest projects: unit,
# integration and faults against a real Kafka broker and embedded PostgreSQL, both once more (the
# SQL-exercising files only) against DATABASE_URL's server if set, and the dashboard end to end in
# Chromium over `npm run serve`.
# Each pass has a time limit, and the wall time of each is printed at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

passes=()
print_times() {
  [ ${#passes[@]} -gt 0 ] || return 0
  echo
  echo "npm test, wall time per pass:"
  printf '  %-34s %6s\n' "${passes[@]}"
}
trap print_times EXIT

# Runs one pass under a time limit (seconds), recording its wall time.
pass() {
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS status=0
  # TERM first, so vitest can stop its services; KILL if it does not within 30 s.
  timeout --kill-after=30 "$limit" "$@" || status=$?
  passes+=("$name" "$((SECONDS - t0)) s")
  if [ "$status" = 124 ]; then echo "npm test: the $name pass ran past its limit of $limit s" >&2; fi
  return "$status"
}

pass preflight 60 npm run -s test:preflight
# Typecheck and lint are independent: side by side, failing if either fails.
pass 'typecheck + lint' 300 bash -c 'npm run -s typecheck & t=$!; l=0; npm run -s lint || l=$?; wait $t && exit $l'
# Electronegativity over the shell, preload and renderer: every finding explained in electronegativity.json.
pass 'lint:electron' 120 npm run -s lint:electron
# The desktop bundle (main, sandboxed preload, renderer) must keep building; serve and e2e use it.
pass build 300 bash -c 'npm run -s build > /dev/null'
# The jars a package ships (electron-builder's extraResources), checked against the pinned list.
pass 'kafka jars' 300 npm run -s kafka -- resolve --dest build/kafka/lib
pass unit 300 npx vitest run --project unit
TICKFLOW_TEST_PG=embedded pass integration 1200 npx vitest run --project integration
TICKFLOW_TEST_PG=embedded pass faults 1200 npx vitest run --project faults
if [ -n "${DATABASE_URL:-}" ]; then
  TICKFLOW_TEST_PG=external pass 'integration + faults, DATABASE_URL' 900 \
    npx vitest run --project integration --project faults
else
  echo "DATABASE_URL is not set: the integration suite ran against embedded PostgreSQL only."
fi
TICKFLOW_TEST_PG=embedded pass e2e 600 npx vitest run --project e2e
