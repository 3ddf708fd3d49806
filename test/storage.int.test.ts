import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveSettings } from '../src/main/config'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import type { Database } from '../src/main/postgres/database'
import { tradeDaySizes } from '../src/main/postgres/retention'
import { ownedDirs } from '../src/main/postgres/retention-job'
import type { RetentionPolicy } from '../src/main/postgres/retention-plan'
import { createStorageControl, type StorageControl } from '../src/main/postgres/storage-control'
import { measureStorage } from '../src/main/postgres/storage-meter'
import { DAY_MS, dayOf } from '../src/main/postgres/trade-days'
import type { RetentionSettings } from '../src/shared/storage'
import { openTestDatabase } from './setup/test-database'

// Issue 13, "Disk use in sight", on a real PostgreSQL (embedded, or DATABASE_URL's) and real dirs:
// the status's storage numbers are right, and a previewed retention change removes exactly the
// days its preview named, no other.

const NOW = Date.now()
const TODAY = dayOf(NOW)
const AGES = [45, 40, 25, 22, 10, 0] // days back from today
const PER_DAY = 300
const MB = 1_000_000

function trade(i: number, age: number): TradeRow {
  const t = Math.min(NOW, (TODAY - age) * DAY_MS + 3_600_000 + i * 1000)
  return {
    tradeId: `storage.${age}.${i}`,
    recordStamp: t,
    symbol: ['AAPL', 'MSFT', 'BINANCE:BTCUSDT'][i % 3]!,
    price: 100 + (i % 50),
    volume: 1 + (i % 7),
    conditions: i % 4 ? null : ['1', '12'],
    tradedAt: t,
    receivedAt: t + 5,
    consumedAt: t + 9,
    topic: 'trades',
    partition: i % 3,
    offset: String(age * PER_DAY + i),
  }
}

const run = promisify(execFile)

/** df's own view of the file system: an independent reading of free and total bytes. */
async function df(dir: string): Promise<{ free: number; total: number }> {
  const { stdout } = await run('df', ['-B1', '--output=avail,size', dir])
  const [free, total] = stdout.trim().split('\n').at(-1)!.trim().split(/\s+/).map(Number)
  return { free: free!, total: total! }
}

describe('disk use in the status, and a previewed retention change', () => {
  let db: Database
  let dataDir: string
  let control: StorageControl
  const saved: RetentionSettings[] = []
  const followed: RetentionPolicy[] = []

  beforeAll(async () => {
    db = await openTestDatabase()
    dataDir = await mkdtemp(join(os.tmpdir(), 'tickflow-storage-'))
    // A managed broker's dir and the logs, of known sizes (incompressible, written in full).
    await mkdir(join(dataDir, 'kafka', 'data', 'trades-0'), { recursive: true })
    await writeFile(join(dataDir, 'kafka', 'data', 'trades-0', '0.log'), Buffer.alloc(3 * MB, 7))
    await mkdir(join(dataDir, 'logs'))
    await writeFile(join(dataDir, 'logs', 'pipeline.1.log'), Buffer.alloc(MB, 7))
    // One batch, so the only day made ahead of need is tomorrow (each batch makes its newest day's next).
    await writeBatch(
      db.pool,
      AGES.flatMap((age) => Array.from({ length: PER_DAY }, (_, i) => trade(i, age))),
      [],
    )
    // Our own database as the policy sees it (no --database-url), so the budget applies too; the
    // pool is the test's. Retention 365 days: nothing goes until a change says so.
    const settings = resolveSettings({ dataDir, retentionDays: 365, diskBudgetGb: 100 }, {})
    control = createStorageControl({
      settings,
      pool: db.pool,
      own: { postgres: true, kafka: true },
      notify: () => {},
    })
    control.onPolicyChange((p) => followed.push(p))
  })
  afterAll(async () => {
    await control?.stop()
    await db?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const save = async (c: RetentionSettings): Promise<void> => {
    saved.push(c)
  }
  const keptAges = async (): Promise<number[]> =>
    (await tradeDaySizes(db.pool)).map((d) => TODAY - d.day).filter((a) => a >= 0)
  const rowsPerAge = async (): Promise<Record<number, number>> => {
    const { rows } = await db.pool.query<{ day: number; n: number }>(
      `SELECT (traded_at AT TIME ZONE 'UTC')::date - date '1970-01-01' AS day, count(*)::int AS n FROM trades GROUP BY 1`,
    )
    return Object.fromEntries(rows.map((r) => [TODAY - r.day, r.n]))
  }
  const dates = (ages: number[]): string[] =>
    ages.map((a) => new Date((TODAY - a) * DAY_MS).toISOString().slice(0, 10))

  it('measures trades, rollups, the owned dirs and the disk, each right within tolerance', async () => {
    const policy = control.policy()
    const s = await measureStorage({
      pool: db.pool,
      dataDir,
      dirs: ownedDirs({ dataDir }, { postgres: false, kafka: true }),
      policy,
    })
    // Trades: every day partition (retention's own measure) and the default one.
    const days = (await tradeDaySizes(db.pool)).reduce((n, d) => n + d.bytes, 0)
    const { rows } = await db.pool.query<{ def: number; rollups: number }>(
      `SELECT pg_total_relation_size('trades_default')::float8 AS def,
              (pg_total_relation_size('trades_1s') + pg_total_relation_size('trades_1m')
               + pg_total_relation_size('trades_1h') + pg_total_relation_size('latency_1s')
               + pg_total_relation_size('latency_1m') + pg_total_relation_size('latency_1h'))::float8 AS rollups`,
    )
    expect(s.tradesBytes).toBe(days + rows[0]!.def)
    expect(s.tradesBytes).toBeGreaterThan(PER_DAY * AGES.length * 50)
    expect(s.rollupsBytes).toBe(rows[0]!.rollups)
    expect(s.oldestTradeAt).toBe(trade(0, 45).tradedAt)
    // Allocated blocks: the file and its directories, a few kB over.
    expect(s.kafkaLogBytes).toBeGreaterThanOrEqual(3 * MB)
    expect(s.kafkaLogBytes).toBeLessThan(3 * MB + 64_000)
    expect(s.logsBytes).toBeGreaterThanOrEqual(MB)
    expect(s.logsBytes).toBeLessThan(MB + 64_000)
    expect(s.usedBytes).toBe(s.kafkaLogBytes! + s.logsBytes!)
    // An external database: its part is unknown and said so, not 0.
    expect(s.postgresBytes).toBeNull()
    expect(s.unknown).toEqual([{ part: 'postgres', reason: expect.stringMatching(/external/) }])
    // The disk as df sees it (others write to it meanwhile: 1% or 200 MB).
    const seen = await df(dataDir)
    expect(s.disk!.totalBytes).toBe(seen.total)
    expect(Math.abs(s.disk!.freeBytes - seen.free)).toBeLessThan(Math.max(seen.total / 100, 200 * MB))
    expect([s.retentionDays, s.diskBudgetGb]).toEqual([365, 100])
  })

  it('says what a shorter retention removes, and removes nothing to say it', async () => {
    const p = await control.preview({ retentionDays: 30 })
    expect(p.remove.map((d) => d.date)).toEqual(dates([45, 40]))
    expect(p.remove.every((d) => d.reason === 'age')).toBe(true)
    expect(p.message).toMatch(/^would remove 2 days, .* (kB|MB): /)
    expect(await keptAges()).toEqual(AGES)
    expect(saved).toEqual([])
  })

  it('refuses a change whose plan goes beyond its preview, and changes nothing', async () => {
    // The preview of 30 days, confirmed with 20: two more days would go unannounced.
    const shown = (await control.preview({ retentionDays: 30 })).remove.map((d) => d.date)
    await expect(control.apply({ retentionDays: 20 }, shown, save)).rejects.toThrow(
      /would now also remove 2 days, .*: .*; preview it again$/,
    )
    expect(await keptAges()).toEqual(AGES)
    expect(saved).toEqual([])
    expect(control.policy()?.retentionDays).toBe(365)
    expect(followed).toEqual([])
  })

  it('removes exactly what the preview said, saves the change and puts it in force', async () => {
    const before = await rowsPerAge()
    const p = await control.preview({ retentionDays: 20 })
    expect(p.remove.map((d) => d.date)).toEqual(dates([45, 40, 25, 22]))
    const applied = await control.apply(
      { retentionDays: 20 },
      p.remove.map((d) => d.date),
      save,
    )
    expect(applied.removed).toEqual(p.remove)
    expect(applied.deferred).toEqual([])
    expect(applied.message).toBe(`Saved. ${p.message.replace('would remove', 'Removed')}`)
    expect(await keptAges()).toEqual([10, 0])
    expect(await rowsPerAge()).toEqual({ 10: before[10], 0: before[0] })
    expect(saved).toEqual([{ retentionDays: 20 }])
    expect(followed).toEqual([{ retentionDays: 20, budgetBytes: 100_000_000_000 }])
    // Measured again after the run: the trades' bytes fell by what was removed.
    expect(applied.storage?.retentionDays).toBe(20)
    expect(applied.storage?.oldestTradeAt).toBe(trade(0, 10).tradedAt)
    expect(control.status()).toBe(applied.storage)
  })

  it('removes exactly what a smaller budget said it would, and never today', async () => {
    // 4 MB of owned dirs over a 1 MB budget: every past day goes for the budget; today stays.
    const p = await control.preview({ retentionDays: 20, diskBudgetGb: 0.001 })
    expect(p.remove).toEqual([expect.objectContaining({ date: dates([10])[0], reason: 'budget' })])
    const applied = await control.apply(
      { retentionDays: 20, diskBudgetGb: 0.001 },
      p.remove.map((d) => d.date),
      save,
    )
    expect(applied.removed).toEqual(p.remove)
    expect(await keptAges()).toEqual([0])
    expect(saved.at(-1)).toEqual({ retentionDays: 20, diskBudgetGb: 0.001 })
    expect(applied.storage?.diskBudgetGb).toBe(0.001)
  })
})
