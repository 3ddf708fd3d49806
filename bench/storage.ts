// Bytes per stored trade (issue 13): realistic trades through the real writer into a fresh schema,
// then every byte of trades counted. Runs on its own until `npm run bench` gets a storage phase:
//   npx tsx bench/storage.ts --database-url postgres://… [--trades 1000000] [--rate 4000] [--fetch-ms 100]
// It makes and drops a schema of its own (storage_<hex>).
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import type pg from 'pg'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { Market } from '../src/main/pipeline/sources/simulator-market'
import { TradeIds } from '../src/main/pipeline/trade-id'
import { writeBatch } from '../src/main/pipeline/writer'
import { createPool } from '../src/main/postgres/database'
import { migrate } from '../src/main/postgres/migrate'
import { DEFAULT_SYMBOLS } from '../src/shared/symbols'

export interface StorageResult {
  trades: number
  /** pg_total_relation_size summed over trades and all its partitions: heap, TOAST, FSM/VM, indexes */
  bytes: number
  bytes_per_trade: number
  heap_bytes_per_trade: number
  index_bytes_per_trade: number
  partitions: number
}

export interface StorageOptions {
  trades: number
  /** trades per second of trade time; the Demo's bench rate by default */
  rate?: number
  seed?: number
  /**
   * Stream time between two fetches of the consumer: every partition's trades of a fetch go in as
   * one batch, as a running writer gets them (default 100 ms). Catching up a backlog instead gives
   * large batches per partition that overlap in time, and an index about 15 bytes per trade larger.
   */
  fetchMs?: number
  onProgress?: (written: number) => void
}

const KAFKA_PARTITIONS = 3

/**
 * Writes `trades` trades as the Demo makes them (the simulator's market: the assignment's four
 * symbols and weights, bursts of 2–8 trades per frame, repeats within a burst, stock conditions),
 * each frame stamped `rate` trades/s after the last, our producer's ids, three Kafka partitions
 * keyed by symbol, through writeBatch in fetches, so the rows, keys and index fill are the real ones.
 */
export async function writeRealisticTrades(pool: pg.Pool, opts: StorageOptions): Promise<void> {
  const market = new Market(opts.seed ?? 13)
  const ids = new TradeIds()
  const rate = opts.rate ?? 4_000
  const fetchMs = opts.fetchMs ?? 100
  const fetched: TradeRow[][] = Array.from({ length: KAFKA_PARTITIONS }, () => [])
  const offsets = new Array<number>(KAFKA_PARTITIONS).fill(0)
  const partitionOf = new Map(DEFAULT_SYMBOLS.map((s, i) => [s, i % KAFKA_PARTITIONS]))
  let now = Date.UTC(2026, 11, 1, 20)
  let nextFetch = now + fetchMs
  let made = 0
  let written = 0
  // The rows in the order a live writer inserts them: fetch by fetch, each fetch partition by
  // partition. Several fetches share one writeBatch (one INSERT keeps its rows' order), so a
  // Demo-rate run of a million trades does not take a million round trips.
  let ordered: TradeRow[] = []
  const fetch = (): void => {
    for (let p = 0; p < KAFKA_PARTITIONS; p++) {
      for (const r of fetched[p]!) ordered.push(r)
      fetched[p] = []
    }
  }
  const write = async (): Promise<void> => {
    fetch()
    if (ordered.length === 0) return
    written += (await writeBatch(pool, ordered, [])).inserted
    ordered = []
    opts.onProgress?.(written)
  }
  while (made < opts.trades) {
    if (now >= nextFetch) {
      fetch()
      if (ordered.length >= 5_000) await write()
      nextFetch = now + fetchMs
    }
    const frame = market.nextFrame(DEFAULT_SYMBOLS, Math.min(market.frameSize(2, 8), opts.trades - made), now)
    const prefix = ids.nextFrame()
    for (const [i, t] of frame.entries()) {
      const p = partitionOf.get(t.s) ?? 0
      fetched[p]!.push({
        tradeId: prefix + i,
        recordStamp: now,
        symbol: t.s,
        price: t.p,
        volume: t.v,
        conditions: t.c ?? null,
        tradedAt: t.t,
        receivedAt: now,
        consumedAt: now + 3,
        topic: 'trades',
        partition: p,
        offset: String(offsets[p]!++),
      })
    }
    made += frame.length
    now += Math.max(1, Math.round((frame.length * 1000) / rate))
  }
  await write()
}

/** Every byte of trades over its partitions, after a VACUUM (as autovacuum leaves an insert-only table). */
export async function measureTrades(pool: pg.Pool): Promise<StorageResult> {
  await pool.query('VACUUM (ANALYZE) trades')
  const { rows } = await pool.query<{ n: number; total: string; heap: string; idx: string; parts: number }>(
    `SELECT (SELECT count(*) FROM trades) AS n, sum(pg_total_relation_size(relid))::text AS total,
            sum(pg_relation_size(relid))::text AS heap, sum(pg_indexes_size(relid))::text AS idx,
            count(*) FILTER (WHERE isleaf) AS parts
     FROM pg_partition_tree('trades')`,
  )
  const r = rows[0]!
  const per = (b: string): number => Math.round((Number(b) / r.n) * 10) / 10
  return {
    trades: r.n,
    bytes: Number(r.total),
    bytes_per_trade: per(r.total),
    heap_bytes_per_trade: per(r.heap),
    index_bytes_per_trade: per(r.idx),
    partitions: r.parts,
  }
}

export async function runStorage(databaseUrl: string, opts: StorageOptions): Promise<StorageResult> {
  const schema = `storage_${randomBytes(4).toString('hex')}`
  const pool = createPool(databaseUrl, schema)
  try {
    await migrate(pool, { schema })
    await writeRealisticTrades(pool, opts)
    return await measureTrades(pool)
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await pool.end()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      trades: { type: 'string' },
      rate: { type: 'string' },
      'fetch-ms': { type: 'string' },
    },
  })
  const url = values['database-url'] ?? process.env['DATABASE_URL']
  if (!url) throw new Error('--database-url or DATABASE_URL is needed')
  const trades = Number(values.trades ?? 1_000_000)
  let shown = 0
  const result = await runStorage(url, {
    trades,
    rate: values.rate ? Number(values.rate) : undefined,
    fetchMs: values['fetch-ms'] ? Number(values['fetch-ms']) : undefined,
    onProgress: (n) => {
      if (n - shown >= 100_000) process.stderr.write(`${(shown = n)} trades written\n`)
    },
  })
  process.stdout.write(JSON.stringify({ storage: result }, null, 2) + '\n')
}
