import { defineConfig } from 'vitest/config'
import { aliases } from './electron.vite.config.ts'

// Four projects, each runnable alone (npm run test:unit, test:integration, test:faults, test:e2e);
// `npm test` (scripts/test.sh) runs each once, then integration and faults again on DATABASE_URL's
// server, limited there to the files that exercise SQL.

/** The fault tests: a broker, a database, a process or a member killed or cut off under a pipeline. */
const FAULTS = [
  'test/broker-restart.int.test.ts',
  'test/cli-interrupt.int.test.ts',
  'test/consumer-restart.int.test.ts',
  'test/embedded-pg-restart.int.test.ts',
  'test/full-disk.int.test.ts',
  'test/full-kafka-disk.int.test.ts',
  'test/ingest-before-join.int.test.ts',
  'test/kafka-cluster.int.test.ts',
  'test/pipeline-sigkill.int.test.ts',
  'test/postgres-restart.int.test.ts',
  'test/postgres-unreachable.int.test.ts',
  'test/two-writers.int.test.ts',
]

// The DATABASE_URL pass: what runs SQL worth checking on a second server (PostgreSQL 15 in CI).
// Elsewhere PostgreSQL is only a sink, and the embedded pass covered it.
const EXERCISES_SQL = [
  'src/main/postgres/migrate.int.test.ts', // migrations
  'src/main/postgres/schema.int.test.ts', // schema
  'src/main/kpi/*.int.test.ts', // views, rollups, snapshots
  'test/kpi-replay.int.test.ts',
  'test/export.int.test.ts', // export
  'test/export-cli.int.test.ts',
  'test/api.int.test.ts', // the API
  'test/api-dashboard.int.test.ts',
  'test/settings-persist.int.test.ts', // settings persistence
  'test/trade-identity.int.test.ts', // trade identity and redelivery
  'test/trade-identity-migration.int.test.ts',
  'test/trade-redelivery.int.test.ts',
  'test/trade-days.int.test.ts', // day partitions (sql/010)
  'test/day-partitions-migration.int.test.ts',
  'test/history-rollups-migration.int.test.ts', // hour rollups' backfill (sql/012)
  'test/retention.int.test.ts', // retention drops day partitions (sql/011)
  'test/retention-job.int.test.ts',
  'test/narrow-rows.int.test.ts', // narrow rows, packed finished days (sql/013)
  'test/rollup-retention.int.test.ts', // rollups past their own retention
  'test/storage.int.test.ts', // disk use in the status, a previewed retention change
  'test/pipeline.int.test.ts', // the pipeline
  'test/postgres-restart.int.test.ts', // sessions ended under the writer
]
const external = process.env['TICKFLOW_TEST_PG'] === 'external'
const onlySql = (files: string[]): string[] =>
  external ? files.filter((f) => EXERCISES_SQL.includes(f)) : files

// Integration, fault and e2e tests share one real Kafka broker and one real PostgreSQL per run
// (globalSetup); TICKFLOW_TEST_PG picks embedded (default) or DATABASE_URL. One file at a time:
// the broker-lifecycle tests start JVMs of their own, and on two cores that starved a concurrent
// consumer-group takeover into a timeout now and then.
const services = {
  globalSetup: ['test/setup/kafka.ts', 'test/setup/postgres.ts'],
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // A teardown that hangs (a broker that will not stop) fails the pass instead of holding CI.
  teardownTimeout: 60_000,
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Component tests (*.test.tsx) run in happy-dom, each by its `@vitest-environment` line;
          // everything else stays in Node, where a DOM would only cost start-up time.
          include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts', 'dev/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
          // Two cores: two workers.
          maxWorkers: 2,
        },
        resolve: { alias: aliases },
      },
      {
        test: {
          name: 'integration',
          include: external
            ? EXERCISES_SQL.filter((f) => !FAULTS.includes(f))
            : ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: ['node_modules/**', ...FAULTS],
          ...services,
        },
      },
      {
        test: {
          name: 'faults',
          include: onlySql(FAULTS),
          ...services,
          // A fault test drives the CLI through a kill and a drain: minutes, not seconds.
          testTimeout: 600_000,
        },
      },
      {
        test: {
          // The dashboard in Chromium (playwright-core) against `npm run serve` on the real services.
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          ...services,
        },
      },
    ],
  },
})
