import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import pg from 'pg'
import { expect, inject } from 'vitest'
import { resolveSettings, type SettingsInput } from '../../src/main/config'
import { createKafka, describeConnection, type KafkaConnection } from '../../src/main/kafka/client'
import { ensureTopic } from '../../src/main/kafka/topics'
import type { Pipeline } from '../../src/main/pipeline/pipeline'
import type { Simulator } from '../../src/main/pipeline/sources/simulator'
import type { TradeSource } from '../../src/main/pipeline/sources/source'
import type { Database } from '../../src/main/postgres/database'
import { createPipeline, type PipelineServices } from '../../src/main/services'
import { openTestDatabase } from '../setup/test-database'
import type { Kafka } from 'kafkajs'
import { testKafkaConnection } from './test-kafka'

export interface Harness {
  kafka: Kafka
  db: Database
  topic: string
  groupId: string
  partitions: number
  pipeline(source: TradeSource, extra?: { bufferCapacity?: number; recordFile?: string }): Pipeline
  close(): Promise<void>
}

/**
 * A broker and a database of the test's as the services a pipeline is built on (createPipeline).
 * The broker counts as managed, as Tickflow's own would: its topic is sized to the disk budget.
 */
export function servicesOn(
  kafka: Kafka,
  connection: KafkaConnection,
  db: Database,
  settings: Partial<SettingsInput> = {},
): PipelineServices {
  return {
    settings: resolveSettings({ dataDir: tmpdir(), ...settings }, {}),
    kafka,
    kafkaConnection: connection,
    kafkaTarget: describeConnection(connection),
    kafkaManaged: true,
    db,
  }
}

/** A unique topic, consumer group and schema on the run's real broker and database. */
export async function openHarness(partitions = 3): Promise<Harness> {
  const id = randomBytes(4).toString('hex')
  const kafka = createKafka(testKafkaConnection(`test-${id}`))
  const db = await openTestDatabase()
  const topic = `trades-${id}`
  await ensureTopic(kafka, topic, partitions)
  const groupId = `writer-${id}`
  const connection = testKafkaConnection(`test-${id}-writer`)
  const services = servicesOn(kafka, connection, db, { topic, groupId, partitions })
  const pipelines: Pipeline[] = []
  return {
    kafka,
    db,
    topic,
    groupId,
    partitions,
    pipeline(source, extra = {}) {
      const p = createPipeline(services, {
        source,
        bufferCapacity: extra.bufferCapacity ?? 100_000,
        recordFile: extra.recordFile,
        statusIntervalMs: 250,
      })
      pipelines.push(p)
      return p
    },
    async close() {
      for (const p of pipelines) await p.stop(0).catch(() => undefined)
      await db.close()
    },
  }
}

/** Polls until check() holds; fails with what it last saw. Not a timing assertion: a deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  check: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T
  for (;;) {
    last = await probe()
    if (check(last)) return last
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * A trade as the tests compare them: every stored field but the stamps we add. Storage keeps no
 * difference between no conditions and an empty list (sql/013), so neither does the key.
 */
export function tradeKey(t: { s: string; p: number; v: number; t: number; c?: string[] | null }): string {
  return JSON.stringify([t.s, t.p, t.v, t.t, t.c?.length ? t.c : null])
}

/** The conditions column as the codes it stores (sql/013 keeps them as one text), null for none. */
export const CONDITIONS_AS_CODES = `nullif(string_to_array(conditions, ' '), '{}') AS conditions`

export async function storedTradeKeys(db: Database): Promise<string[]> {
  // traded_at comes back as a ms epoch number (see postgres/database.ts)
  const { rows } = await db.pool.query<{
    symbol: string
    price: number
    volume: number
    traded_at: number
    conditions: string[] | null
  }>(`SELECT symbol, price, volume, traded_at, ${CONDITIONS_AS_CODES} FROM trades`)
  return rows.map((r) => tradeKey({ s: r.symbol, p: r.price, v: r.volume, t: r.traded_at, c: r.conditions }))
}

/** The trades stored in `schema` of the run's PostgreSQL, counted on a connection of its own. */
export async function countStoredTrades(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".trades`)
    return Number(rows[0]!.n)
  } finally {
    await client.end()
  }
}

/** Multiset difference, for a readable failure: what is in a but not in b. */
export function missingFrom(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>()
  for (const k of b) counts.set(k, (counts.get(k) ?? 0) + 1)
  const out: string[] = []
  for (const k of a) {
    const n = counts.get(k) ?? 0
    if (n === 0) out.push(k)
    else counts.set(k, n - 1)
  }
  return out
}

/** The multiset check of the fault tests: every trade the simulator sent is stored, once. */
export async function expectStoredAsSent(db: Database, sim: Simulator): Promise<void> {
  const stored = await storedTradeKeys(db)
  const sent = sim.sent.map(tradeKey)
  expect(sent).toHaveLength(sim.stats().sentTrades)
  expect(missingFrom(sent, stored)).toEqual([])
  expect(missingFrom(stored, sent)).toEqual([])
}
