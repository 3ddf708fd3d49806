import { copyFile, rm } from 'node:fs/promises'
import { Partitioners } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../src/main/kafka/broker/broker-launch'
import { createKafka } from '../src/main/kafka/client'
import { ensurePassword, passwordFileOf } from '../src/main/kafka/broker/credentials'
import { startLocalBroker, type LocalBrokerHandle } from '../src/main/kafka/broker/local-broker'
import { ensureTopic } from '../src/main/kafka/topics'
import type { Notice, Pipeline } from '../src/main/pipeline/pipeline'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import type { Database } from '../src/main/postgres/database'
import { createPipeline } from '../src/main/services'
import { servicesOn, waitFor } from './helpers/harness'
import { tempDataDir } from './helpers/services-pipeline'
import { openTestDatabase } from './setup/test-database'

const brokers: LocalBrokerHandle[] = []
const dirs: string[] = []
let sim: Simulator | null = null
let db: Database | null = null
let pipeline: Pipeline | null = null
afterEach(async () => {
  await pipeline?.stop(0).catch(() => undefined)
  await sim?.stop()
  await db?.close()
  for (const b of brokers.splice(0)) await b.stop()
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
  pipeline = sim = db = null
})

async function broker(dataDir: string, port: number): Promise<LocalBrokerHandle> {
  const b = await startLocalBroker({ dataDir, port, heapMb: 256 })
  brokers.push(b)
  return b
}

const TOPIC = 'trades'
const GROUP = 'tickflow-writer'

describe("another instance's broker on the port of ours", () => {
  it('is refused: the pipeline fails in words, and neither sends to it nor reads from it', async () => {
    const dirA = await tempDataDir('tickflow-cluster-a-')
    const dirB = await tempDataDir('tickflow-cluster-b-')
    dirs.push(dirA, dirB)
    // One password for both: the check under test is the cluster id, which a client learns only
    // once the broker has let it in (a broker with another password refuses it before that).
    await ensurePassword(passwordFileOf(dirA))
    await copyFile(passwordFileOf(dirA), passwordFileOf(dirB))
    // B, the other instance, with the same (default) topic and group names, and a record of its own.
    let b = await broker(dirB, await freePort())
    const kb = createKafka({ brokers: [b.bootstrap], sasl: b.sasl })
    await ensureTopic(kb, TOPIC, 3)
    const producer = kb.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    await producer.send({
      topic: TOPIC,
      messages: [
        { key: 'ONLY-B', value: JSON.stringify({ s: 'ONLY-B', p: 1, t: Date.now(), v: 1, c: null }) },
      ],
    })
    await producer.disconnect()
    await b.stop()
    brokers.splice(brokers.indexOf(b), 1)

    // Ours, A, with a pipeline on it.
    const a = await broker(dirA, await freePort())
    db = await openTestDatabase()
    sim = await startSimulator({ seed: 41, tradesPerSecond: 300, retainSent: true })
    const connection = { brokers: [a.bootstrap], clientId: 'cluster-it', sasl: a.sasl }
    const on = servicesOn(createKafka(connection), connection, db, {
      topic: TOPIC,
      groupId: GROUP,
    })
    const p = createPipeline(on, {
      source: new FinnhubClient({ url: sim.url, symbols: ['AAPL'], kind: 'demo' }),
      bufferCapacity: 100_000,
      // The status tick compares the cluster id too, but once a minute leaves it to the clients' own
      // check on reconnect: that is what keeps the producer's retries from landing on B.
      statusIntervalMs: 60_000,
    })
    pipeline = p
    const alerts: Notice[] = []
    p.onAlert((n) => alerts.push(n))
    await p.start()
    await waitFor(
      'rows on A',
      () => p.status().counters.written,
      (n) => n >= 100,
      90_000,
    )

    // A goes away, and B comes up where A was.
    await a.stop()
    brokers.splice(brokers.indexOf(a), 1)
    b = await broker(dirB, a.port)
    expect(b.clusterId).not.toBe(a.clusterId)

    const failed = await waitFor(
      'the mismatch',
      () => p.status(),
      (s) => s.state === 'failed',
      120_000,
    )
    const why = `the broker at ${a.bootstrap} is Kafka cluster ${b.clusterId}, not cluster ${a.clusterId}`
    expect(failed.detail).toContain(why)
    expect(failed.detail).toContain('stopped producing and consuming')
    expect(alerts.some((n) => n.level === 'error' && n.message.includes(why))).toBe(true)
    await waitFor(
      'the writer to stop',
      () => p.status().consumer.state,
      (s) => s === 'stopped',
      60_000,
    )

    // B holds only its own record, its group never had our writer, and PostgreSQL has none of B's.
    const admin = createKafka({ brokers: [b.bootstrap], sasl: b.sasl }).admin()
    await admin.connect()
    try {
      const ends = await admin.fetchTopicOffsets(TOPIC)
      expect(ends.reduce((n, o) => n + Number(o.high), 0)).toBe(1)
      // B's group coordinator may still be loading (__consumer_offsets is new there): ask until it answers.
      const group = await waitFor(
        "B's group coordinator",
        async () => {
          try {
            const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
            const { groups } = await admin.describeGroups([GROUP])
            return { offsets: offsets!.partitions.map((o) => o.offset), members: groups[0]!.members }
          } catch (err) {
            return (err as Error).message
          }
        },
        (v) => typeof v !== 'string',
      )
      expect(group).toEqual({ offsets: ['-1', '-1', '-1'], members: [] })
    } finally {
      await admin.disconnect()
    }
    const fromB = await db.pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM trades WHERE symbol = 'ONLY-B'`,
    )
    expect(fromB.rows[0]!.n).toBe(0)

    await p.stop()
    expect(p.status().state).toBe('stopped')
  }, 300_000)
})
