// Bytes per stored trade (issue 13): realistic trades through the real writer into a fresh schema,
// then every byte of trades counted. Runs on its own until `npm run bench` gets a storage phase:
//   npx tsx bench/storage.ts --database-url postgres://… [--trades 1000000] [--rate 4000] [--fetch-ms 100]
// It makes and drops a schema of its own (storage_<hex>).
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import type pg from 'pg'
import { writeRealisticTrades, type RealisticTradesOptions } from '../dev/realistic-trades'
import { createPool } from '../src/main/postgres/database'
import { migrate } from '../src/main/postgres/migrate'

export interface StorageResult {
  trades: number
  /** pg_total_relation_size summed over trades and all its partitions: heap, TOAST, FSM/VM, indexes */
  bytes: number
  bytes_per_trade: number
  heap_bytes_per_trade: number
  index_bytes_per_trade: number
  partitions: number
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

export async function runStorage(databaseUrl: string, opts: RealisticTradesOptions): Promise<StorageResult> {
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
