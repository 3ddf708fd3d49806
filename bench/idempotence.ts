// The idempotence phase: what the unique trade_id (and ON CONFLICT DO NOTHING) costs the writer.
// The same records are written by the real TradeConsumer into two kinds of fresh schema, in
// alternation: one as migrated, one without the unique constraint and with the writer's statement
// minus its conflict clause (a plain INSERT).
import type pg from 'pg'
import { ensureTopic } from '../src/main/kafka/topics'
import { TradeConsumer } from '../src/main/pipeline/consumer/consumer'
import { TradeProducer } from '../src/main/pipeline/producer'
import { sampleFrames } from '../src/main/pipeline/sources/sample-frames'
import { createPool, type Database } from '../src/main/postgres/database'
import type { FinnhubTrade } from '../src/shared/trade'
import { BENCH_SYMBOLS } from './e2e'
import { fmt, log, median } from './log'
import { pollUntil } from './pipeline-run'
import type { BenchServices } from './services'

export type Variant = 'with_unique' | 'without_unique'

export interface IdempotenceRun {
  variant: Variant
  trades: number
  /** first batch consumed (min consumed_at) → the last commit, seconds */
  seconds: number
  tradesPerS: number
}

export interface IdempotenceResult {
  trades: number
  /** medians over the runs of each variant */
  withUniquePerS: number
  withoutUniquePerS: number
  /** (without − with) ÷ without × 100: the share of write throughput the idempotent path costs */
  costPct: number
  runs: IdempotenceRun[]
}

const CONFLICT_CLAUSE = /\s*ON CONFLICT \(traded_at, trade_key\) DO NOTHING\s*$/

/**
 * A pool for the variant without the unique key: its clients send the writer's own statement with
 * the conflict clause cut off (ON CONFLICT (traded_at, trade_key) needs the unique index). `stripped` counts
 * the cuts, so a changed writer statement fails the phase instead of measuring nothing.
 */
function plainInsertPool(url: string, schema: string): { pool: pg.Pool; stripped: () => number } {
  const pool = createPool(url, schema)
  pool.on('error', () => undefined) // an idle client's error; the next query reports it
  let stripped = 0
  const patched = new WeakSet<pg.PoolClient>()
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>
  pool.connect = (async () => {
    const client = await connect()
    if (!patched.has(client)) {
      patched.add(client)
      const query = client.query.bind(client) as (text: unknown, ...rest: unknown[]) => unknown
      client.query = ((text: unknown, ...rest: unknown[]) => {
        if (typeof text === 'string' && CONFLICT_CLAUSE.test(text)) {
          stripped++
          return query(text.replace(CONFLICT_CLAUSE, ''), ...rest)
        }
        return query(text, ...rest)
      }) as typeof client.query
    }
    return client
  }) as typeof pool.connect
  return { pool, stripped: () => stripped }
}

/** The fixture's trades into a topic of their own, through our producer (so each carries its tf_id). */
async function produceFixture(
  s: BenchServices,
  topic: string,
  trades: number,
  partitions: number,
): Promise<void> {
  await ensureTopic(s.services.kafka, topic, partitions)
  const producer = new TradeProducer(s.services.kafka, { topic, capacity: trades + 1 })
  await producer.start()
  try {
    for (const f of sampleFrames({ trades, seed: 43, symbols: BENCH_SYMBOLS, tradesPerFrame: [1, 10] })) {
      const frame = JSON.parse(f.raw) as { type: string; data?: FinnhubTrade[] }
      if (frame.type === 'trade' && frame.data) producer.enqueue(frame.data, Date.now())
    }
    if (!(await producer.flush(10 * 60_000))) throw new Error('idempotence: the fixture was not acknowledged')
  } finally {
    await producer.stop()
  }
}

async function writeOnce(
  s: BenchServices,
  topic: string,
  variant: Variant,
  i: number,
  trades: number,
  partitions: number,
): Promise<IdempotenceRun> {
  const db: Database = await s.openSchema(`idem_${variant === 'with_unique' ? 'u' : 'n'}${i}`)
  let plain: ReturnType<typeof plainInsertPool> | null = null
  if (variant === 'without_unique') {
    await db.pool.query('ALTER TABLE trades DROP CONSTRAINT trades_key')
    plain = plainInsertPool(db.url, db.schema)
  }
  const consumer = new TradeConsumer(s.services.kafka, plain?.pool ?? db.pool, {
    topic,
    groupId: `${topic}-${variant}-${i}`,
    concurrency: partitions,
  })
  try {
    await consumer.start()
    const done = await pollUntil(() => consumer.stats().written >= trades, {
      intervalMs: 5,
      timeoutMs: 10 * 60_000,
      progress: () => consumer.stats().written,
    })
    const end = Date.now()
    if (!done) throw new Error(`idempotence: ${variant}: ${consumer.stats().written} of ${trades} written`)
    if (plain && plain.stripped() === 0)
      throw new Error(
        "idempotence: the writer's statement has no ON CONFLICT (traded_at, trade_key) clause any more",
      )
    const { rows } = await db.pool.query<{ n: number; first: number }>(
      'SELECT count(*) AS n, min(consumed_at) AS first FROM trades',
    )
    const seconds = (end - rows[0]!.first) / 1000
    return { variant, trades: rows[0]!.n, seconds, tradesPerS: rows[0]!.n / seconds }
  } finally {
    await consumer.stop()
    await plain?.pool.end()
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`)
  }
}

export async function runIdempotence(
  s: BenchServices,
  trades: number,
  repeats: number,
  partitions: number,
): Promise<IdempotenceResult> {
  const topic = s.topicName('idempotence')
  log(`idempotence: producing ${fmt(trades)} trades`)
  await produceFixture(s, topic, trades, partitions)
  const runs: IdempotenceRun[] = []
  // Alternating, so a drift in the machine's load falls on both variants alike, and each variant
  // goes first in turn: the first run of all is cold (page cache, JIT), 8k against 26k trades/s.
  for (let i = 0; i < repeats; i++) {
    const order = ['with_unique', 'without_unique'] as const
    for (const variant of i % 2 === 0 ? order : [...order].reverse()) {
      const r = await writeOnce(s, topic, variant, i, trades, partitions)
      runs.push(r)
      log(
        `idempotence: ${variant} ${i + 1}/${repeats}: ${fmt(r.tradesPerS)} trades/s (${fmt(r.seconds, 2)} s)`,
      )
    }
  }
  const withU = median(runs.filter((r) => r.variant === 'with_unique').map((r) => r.tradesPerS))
  const without = median(runs.filter((r) => r.variant === 'without_unique').map((r) => r.tradesPerS))
  return {
    trades,
    withUniquePerS: withU,
    withoutUniquePerS: without,
    costPct: ((without - withU) / without) * 100,
    runs,
  }
}
