import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Partitioners, type Kafka } from 'kafkajs'
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'
import { Teardown } from '../../../../test/helpers/teardown'
import { isPortFree, prepareBroker } from './broker-launch'
import { isProcessAlive } from '../../base/process-info'
import { createKafka, parseBrokerList } from '../client'
import {
  brokerStatus,
  startDetachedBroker,
  startLocalBroker,
  stopDetachedBroker,
  type LocalBrokerHandle,
  type LocalBrokerOptions,
} from './local-broker'
import { ensureTopic } from '../topics'
import { testConnection } from '../../api/connection-test'
import { passwordFileOf } from './credentials'
import { testKafkaConnection } from '../../../../test/helpers/test-kafka'

const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`

// Whatever a test started is stopped after it, by pid, also when an assertion failed half-way.
const teardown = new Teardown()
afterEach(() => teardown.run())

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
/** A data dir of the test's own; any broker still running on it is stopped after the test. */
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tickflow-kafka-it-'))
  dirs.push(d)
  // By the pid in its broker.json, checked to be this dir's kafka.Kafka: attached, detached or a CLI's.
  teardown.add(async () => void (await stopDetachedBroker(d)))
  return d
}

/** A broker of the test's own, stopped after the test unless the test stopped it (stop() is idempotent). */
async function startOwn(opts: LocalBrokerOptions): Promise<LocalBrokerHandle> {
  const b = await startLocalBroker(opts)
  teardown.add(() => b.stop())
  return b
}

/** A client's first real request: kafkajs's connect() alone gets through a SASL listener's ApiVersions. */
async function listTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin()
  try {
    await admin.connect()
    return await admin.listTopics()
  } finally {
    await admin.disconnect()
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (await isProcessAlive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 200))
  }
  return true
}

describe('shared broker', () => {
  const kafka = createKafka(testKafkaConnection('it-kafka'))

  it('creates a 3-partition topic idempotently, even when raced', async () => {
    const topic = unique('it-ensure')
    await Promise.all([
      ensureTopic(kafka, topic, 3),
      ensureTopic(kafka, topic, 3),
      ensureTopic(kafka, topic, 3),
    ])
    await ensureTopic(kafka, topic, 3)
    const admin = kafka.admin()
    await admin.connect()
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] })
      const partitions = meta.topics[0]?.partitions ?? []
      expect(partitions).toHaveLength(3)
      expect(partitions.every((p) => p.leader >= 0)).toBe(true)
    } finally {
      await admin.disconnect()
    }
  })

  it('round-trips messages through produce and consume', async () => {
    const topic = unique('it-roundtrip')
    await ensureTopic(kafka, topic, 3)
    const sent = ['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1'].map((s, i) => ({
      key: s,
      value: JSON.stringify({ s, p: 100 + i, t: 1_700_000_000_000 + i, v: i, c: null }),
    }))
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    await producer.send({ topic, messages: sent })
    await producer.disconnect()

    const consumer = kafka.consumer({ groupId: unique('it-group') })
    const got: { key: string; value: string; partition: number }[] = []
    try {
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${got.length} of ${sent.length} arrived`)),
          60_000,
        )
        void consumer.run({
          eachMessage: async ({ message, partition }) => {
            got.push({ key: String(message.key), value: String(message.value), partition })
            if (got.length === sent.length) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
      })
    } finally {
      await consumer.disconnect()
    }
    expect(got.map(({ key, value }) => ({ key, value })).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      [...sent].sort((a, b) => a.key.localeCompare(b.key)),
    )
    // Same key, same partition: per-symbol order depends on it.
    expect(new Set(got.map((g) => g.partition)).size).toBeGreaterThan(0)
  })

  // Issue 15 (L5, L10). Every other test's client carries the user, so they cover the way in.
  it.skipIf(inject('kafkaSasl') === null)(
    'lets no client in without its user, and says which settings a refused one lacks',
    async () => {
      const { brokers, sasl } = testKafkaConnection()
      const probe = { retry: { retries: 0 }, appLog: false }
      const anon = createKafka({ brokers, clientId: 'it-anon' }, probe)
      await expect(listTopics(anon)).rejects.toThrow('Closed connection')
      const producer = anon.producer()
      const sent = producer
        .connect()
        .then(() => producer.send({ topic: 'it-anon', messages: [{ value: 'x' }] }))
        .finally(() => producer.disconnect())
      await expect(sent).rejects.toThrow('Closed connection')
      const wrong = createKafka({ brokers, sasl: { ...sasl!, password: 'not-the-password' } }, probe)
      await expect(listTopics(wrong)).rejects.toThrow(/authentication failed/i)
      expect(await listTopics(createKafka(testKafkaConnection('it-user'), probe))).toEqual(expect.any(Array))

      // Test connection (L10): not only "Closed connection", but what may be missing.
      const test = await testConnection({ kind: 'kafka', brokers: brokers.join(',') })
      expect(test.ok).toBe(false)
      expect(test.message).toContain('closed the connection during the handshake')
      for (const setting of [
        'KAFKA_SSL',
        'KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
      ])
        expect(test.message).toContain(setting)
      // With the configured user it gets in.
      const ok = await testConnection(
        { kind: 'kafka', brokers: brokers.join(',') },
        { kafka: { brokers, sasl } },
      )
      expect(ok, ok.message).toMatchObject({ ok: true })
    },
  )

  it('refuses a taken port up front', async () => {
    // The run's broker holds a port on 127.0.0.1: taking one needs no JVM of this test's own.
    const port = Number(parseBrokerList(inject('kafkaBrokers'))[0]?.split(':').at(-1))
    expect(await isPortFree(port), `the run's broker listens on 127.0.0.1:${port}`).toBe(false)
    await expect(startLocalBroker({ dataDir: await tempDir(), port })).rejects.toThrow(
      /port \d+ is already in use/,
    )
  })
})

describe('own broker lifecycle', () => {
  it('stops without an orphan JVM and keeps topics across a restart; gives old storage a password', async () => {
    const dataDir = await tempDir()
    // Storage as Tickflow formatted it before issue 15: no SCRAM credential, no password file.
    await prepareBroker({ dataDir, port: 0, heapMb: 256, formatWithoutScram: true })
    await rm(passwordFileOf(dataDir))
    const notes: string[] = []
    // a secret in our environment stays out of the JVM's
    process.env['KAFKA_SASL_PASSWORD'] = 'sekrit-pw'
    const first = await startOwn({ dataDir, port: 0, heapMb: 256, onProgress: (m) => notes.push(m) }).finally(
      () => delete process.env['KAFKA_SASL_PASSWORD'],
    )
    expect(await isProcessAlive(first.pid)).toBe(true)
    expect(await readFile(`/proc/${first.pid}/environ`, 'utf8')).not.toContain('sekrit')
    expect(notes.filter((m) => m.includes('had no SCRAM credential: added one'))).toHaveLength(1)
    // The password, and the broker settings that hold it, are the owner's only; its log does not hold it.
    const { password } = first.sasl
    expect(await readFile(passwordFileOf(dataDir), 'utf8')).toBe(`${password}\n`)
    for (const file of [passwordFileOf(dataDir), join(dataDir, 'kafka', 'server.properties')])
      expect((await stat(file)).mode & 0o777, file).toBe(0o600)
    expect(await readFile(join(dataDir, 'kafka', 'logs', 'server.log'), 'utf8')).not.toContain(password)
    const anon = createKafka({ brokers: [first.bootstrap] }, { retry: { retries: 0 }, appLog: false })
    await expect(listTopics(anon)).rejects.toThrow('Closed connection')
    const topic = unique('it-keep')
    try {
      await ensureTopic(createKafka({ brokers: [first.bootstrap], sasl: first.sasl }), topic, 2)
    } finally {
      await first.stop()
    }
    expect(await isProcessAlive(first.pid)).toBe(false)

    const second = await startOwn({ dataDir, port: 0, heapMb: 256, onProgress: (m) => notes.push(m) })
    // Once is enough: the credential is in the metadata log now, under the same password.
    expect(notes.filter((m) => m.includes('had no SCRAM credential'))).toHaveLength(1)
    expect(second.sasl).toEqual(first.sasl)
    try {
      const admin = createKafka({ brokers: [second.bootstrap], sasl: second.sasl }).admin()
      await admin.connect()
      try {
        expect(await admin.listTopics()).toContain(topic)
        const meta = await admin.fetchTopicMetadata({ topics: [topic] })
        expect(meta.topics[0]?.partitions).toHaveLength(2)
      } finally {
        await admin.disconnect()
      }
    } finally {
      await second.stop()
    }
    expect(await isProcessAlive(second.pid)).toBe(false)
  })

  it('runs detached with a state file, reports status and stops', async () => {
    const dataDir = await tempDir()
    const b = await startDetachedBroker({ dataDir, port: 0, heapMb: 256 })
    try {
      expect(b.started).toBe(true)
      expect(await brokerStatus(dataDir)).toMatchObject({ running: true, pid: b.pid, bootstrap: b.bootstrap })
      // A second start reuses it instead of fighting over the data dir.
      expect(await startDetachedBroker({ dataDir, port: 0 })).toMatchObject({ started: false, pid: b.pid })
      await expect(startLocalBroker({ dataDir, port: 0 })).rejects.toThrow('already runs')
    } finally {
      expect(await stopDetachedBroker(dataDir)).toEqual({ wasRunning: true, pid: b.pid })
    }
    expect(await isProcessAlive(b.pid)).toBe(false)
    expect(await brokerStatus(dataDir)).toMatchObject({ running: false })
    expect(await stopDetachedBroker(dataDir)).toEqual({ wasRunning: false })
  })

  it('takes the JVM down when its Node parent is SIGKILLed', async () => {
    const dataDir = await tempDir()
    const cli = join(import.meta.dirname, '../../../../dev/kafka-cli.ts')
    const parent = teardown.child(
      spawn(
        process.execPath,
        ['--import', 'tsx', cli, 'run', '--data-dir', dataDir, '--port', '0', '--heap-mb', '256'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    )
    const stderr: string[] = []
    createInterface({ input: parent.stderr! }).on('line', (l) => stderr.push(l))
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', resolve)
      parent.once('exit', (code) => reject(new Error(`kafka-cli run exited ${code}: ${stderr.join(' | ')}`)))
    })
    const pid = Number(/\(pid (\d+)\)/.exec(line)?.[1])
    // The JVM runs in a process group of its own (local-broker.ts): SIGTERM it there, should the
    // test end before the watchdog did its work.
    if (pid > 0) teardown.pid(pid, { signal: 'SIGTERM', group: true, mentioning: dataDir })
    expect(pid).toBeGreaterThan(0)
    expect(await isProcessAlive(pid)).toBe(true)

    parent.kill('SIGKILL')
    // The watchdog polls once a second, then the broker shuts down cleanly (a few seconds).
    expect(await waitGone(pid, 45_000)).toBe(true)
  })

  it('refuses a second broker on the same data dir, which would share its metadata log', async () => {
    const dataDir = await tempDir()
    const first = await startOwn({ dataDir, port: 0, heapMb: 256 })
    try {
      expect(await brokerStatus(dataDir)).toMatchObject({ running: true, pid: first.pid })
      await expect(startLocalBroker({ dataDir, port: 0 })).rejects.toThrow(`pid ${first.pid}`)
      expect(await startDetachedBroker({ dataDir, port: 0 })).toMatchObject({
        started: false,
        pid: first.pid,
      })
    } finally {
      await first.stop()
    }
    expect(await brokerStatus(dataDir)).toMatchObject({ running: false })
  })

  it('reports why the JVM died, with the log tail, when the storage does not match', async () => {
    const dataDir = await tempDir()
    // Storage as a first start formats it (StorageTool, in prepareBroker), without a broker run on it.
    await prepareBroker({ dataDir, port: 0, heapMb: 256 })
    const meta = join(dataDir, 'kafka', 'data', 'meta.properties')
    await writeFile(meta, (await readFile(meta, 'utf8')).replace('node.id=1', 'node.id=2'))
    const err = await startOwn({ dataDir, port: 0, heapMb: 256 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    const [first, ...tail] = err?.message.split('\n') ?? []
    expect(first).toMatch(/exited during startup: .*node/i)
    expect(first).toContain('server.log')
    expect(tail.length).toBeGreaterThan(2)
    expect(await brokerStatus(dataDir)).toMatchObject({ running: false })
  })
})
