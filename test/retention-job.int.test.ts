import os from 'node:os'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { resolveSettings } from '../src/main/config'
import { createServices, type ServiceNotice } from '../src/main/services'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { createPool, type Database } from '../src/main/postgres/database'
import { RetentionJob } from '../src/main/postgres/retention-job'
import { createStorageControl } from '../src/main/postgres/storage-control'
import { tradeDaySizes } from '../src/main/postgres/retention'
import { DAY_MS, dayOf } from '../src/main/postgres/trade-days'
import type { AlertLevel } from '../src/shared/status'
import { openTestDatabase } from './setup/test-database'
import { testKafkaSettings } from './helpers/test-kafka'

// Issue 13: retention runs at start and then on its schedule, and says what it removed as a notice.

const TODAY = dayOf(Date.now())

function trade(i: number, age: number): TradeRow {
  const t = (TODAY - age) * DAY_MS + 3_600_000 + i
  return {
    tradeId: `job.${i}.${age}`,
    recordStamp: t,
    symbol: 'AAPL',
    price: 100,
    volume: 1,
    conditions: null,
    tradedAt: t,
    receivedAt: t + 5,
    consumedAt: t + 9,
    topic: 'trades',
    partition: 0,
    offset: String(i),
  }
}

describe('the retention job', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })

  const ages = async (): Promise<number[]> => (await tradeDaySizes(db.pool)).map((d) => TODAY - d.day)

  const jobFor = (notices: { level: AlertLevel; message: string }[], intervalMs?: number): RetentionJob =>
    new RetentionJob({
      pool: db.pool,
      policy: { retentionDays: 30, budgetBytes: null },
      ownedPaths: [],
      notify: (level, message) => notices.push({ level, message }),
      intervalMs,
    })

  it('removes at start, and says what it removed', async () => {
    await writeBatch(db.pool, [trade(1, 45), trade(2, 0)], [])
    const notices: { level: AlertLevel; message: string }[] = []
    const job = jobFor(notices) // the hourly default: only the start can run within this test
    try {
      job.start()
      await vi.waitFor(() => expect(notices).toHaveLength(1), { timeout: 30_000 })
    } finally {
      await job.stop()
    }
    const day45 = new Date((TODAY - 45) * DAY_MS).toISOString().slice(0, 10)
    expect(notices[0]!.level).toBe('info')
    expect(notices[0]!.message).toMatch(new RegExp(`older than 30 days: ${day45} `))
    expect(await ages()).not.toContain(45)
    expect(await ages()).toContain(0)
  })

  it('runs again on its schedule, without a restart, and not after stop', async () => {
    const notices: { level: AlertLevel; message: string }[] = []
    // A short period stands for the hour: what is checked is that runs recur, not when.
    const job = jobFor(notices, 200)
    try {
      job.start()
      await job.runOnce() // the start's run, with nothing to remove
      expect(notices).toEqual([])
      // A replayed trade of an old day, later: a scheduled run removes it.
      await writeBatch(db.pool, [trade(3, 60)], [])
      await vi.waitFor(() => expect(notices).toHaveLength(1), { timeout: 30_000 })
      expect(await ages()).not.toContain(60)
    } finally {
      await job.stop()
    }
    expect(await job.runOnce()).toBeNull()
  })

  it('is a warning, not a crash, when the database refuses it', async () => {
    // A pool already ended: every query fails, as while PostgreSQL restarts.
    const pool = createPool(inject('databaseUrl'), db.schema)
    await pool.end()
    const notices: string[] = []
    const job = new RetentionJob({
      pool,
      policy: { retentionDays: 30, budgetBytes: null },
      ownedPaths: [],
      notify: (level, message) => notices.push(`${level}: ${message}`),
    })
    expect(await job.runOnce()).toBeNull()
    expect(notices).toEqual([
      expect.stringMatching(/^warn: Retention could not run: .*tries again in an hour$/),
    ])
  })

  it('is off on an external database unless the user set the retention days', () => {
    const dataDir = os.tmpdir()
    const policyOf = (settings: Parameters<typeof resolveSettings>[0], postgres: boolean) =>
      createStorageControl({
        settings: resolveSettings(settings, {}),
        pool: db.pool,
        own: { postgres, kafka: true },
        notify: () => {},
      }).policy()
    const databaseUrl = 'postgres://u@elsewhere/theirs'
    expect(policyOf({ dataDir, databaseUrl }, false)).toBeNull()
    expect(policyOf({ dataDir, databaseUrl, retentionDays: 90 }, false)).toEqual({
      retentionDays: 90,
      budgetBytes: null,
    })
    expect(policyOf({ dataDir }, true)).toEqual({ retentionDays: 30, budgetBytes: 20_000_000_000 })
  })

  it('is run by the services, and its notice comes out with theirs', async () => {
    await writeBatch(db.pool, [trade(4, 50)], [])
    const dataDir = await mkdtemp(join(os.tmpdir(), 'tickflow-retention-job-'))
    // The user set the retention, so it runs on this (external) database too.
    const settings = resolveSettings(
      {
        dataDir,
        databaseUrl: inject('databaseUrl'),
        pgSchema: db.schema,
        ...testKafkaSettings(),
        retentionDays: 30,
      },
      {},
    )
    const services = await createServices(settings)
    const notices: ServiceNotice[] = []
    try {
      services.onNotice((n) => notices.push(n))
      await vi.waitFor(() => expect(notices.map((n) => n.service)).toContain('storage'), { timeout: 30_000 })
    } finally {
      await services.close()
      await rm(dataDir, { recursive: true, force: true })
    }
    expect(notices.find((n) => n.service === 'storage')?.message).toMatch(
      /^Retention: removed raw trades older than 30/,
    )
    expect(await ages()).not.toContain(50)
  })
})
