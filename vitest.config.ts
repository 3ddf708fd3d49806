import { defineConfig } from 'vitest/config'

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
