#!/usr/bin/env bash
# npm test: types, lint, the electron-vite build, unit tests, the integration suite against a real
# Kafka broker and embedded PostgreSQL (once more against DATABASE_URL's server if set), then the
# dashboard end to end in Chromium over `npm run serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run -s typecheck
npm run -s lint
# The desktop bundle (main, sandboxed preload, renderer) must keep building; serve and e2e use it.
npm run -s build > /dev/null
# The jars a package ships (electron-builder's extraResources), checked against the pinned list.
npm run -s kafka -- resolve --dest build/kafka/lib
npx vitest run --project unit
TICKFLOW_TEST_PG=embedded npx vitest run --project integration
if [ -n "${DATABASE_URL:-}" ]; then
  TICKFLOW_TEST_PG=external npx vitest run --project integration
else
  echo "DATABASE_URL is not set: the integration suite ran against embedded PostgreSQL only."
fi
TICKFLOW_TEST_PG=embedded npx vitest run --project e2e
