import { defineConfig } from 'vitest/config'

// These never touch the run's PostgreSQL (they start their own embedded server, or need none), so
// the second integration run, against DATABASE_URL's server, would repeat them unchanged.
const WITHOUT_RUN_DATABASE = [
  'src/main/kafka/local-broker.int.test.ts',
  'src/main/postgres/embedded.int.test.ts',
  'test/cli-interrupt.int.test.ts',
  'test/embedded-pg-restart.int.test.ts',
  'test/jar-fetch.int.test.ts',
  'test/pipeline-sigkill.int.test.ts',
]
const external = process.env['TICKFLOW_TEST_PG'] === 'external'
if (external && process.argv.includes('integration'))
  console.log(`DATABASE_URL run: skips ${WITHOUT_RUN_DATABASE.length} files that never use its database`)

// Unit tests are pure and fast. Integration tests share one real Kafka broker and one real
// PostgreSQL per run (globalSetup); TICKFLOW_TEST_PG picks embedded (default) or DATABASE_URL.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: ['node_modules/**', ...(external ? WITHOUT_RUN_DATABASE : [])],
          globalSetup: ['test/setup/kafka.ts', 'test/setup/postgres.ts'],
          // One file at a time: the broker-lifecycle tests start JVMs of their own, and on two
          // cores that starved a concurrent consumer-group takeover into a timeout now and then.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          // The dashboard in Chromium (playwright-core) against `npm run serve` on the real services.
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/setup/kafka.ts', 'test/setup/postgres.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
