import { rm } from 'node:fs/promises'
import { AssignerProtocol, type Admin } from 'kafkajs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createKafka } from '../src/main/kafka/client'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import {
  killCliProcesses,
  spawnCli,
  stopWhenSettled,
  whileRunning,
  type CliProcess,
} from './helpers/cli-process'
import { countStoredTrades, missingFrom, storedTradeKeys, tradeKey, waitFor } from './helpers/harness'
import { tempDataDir } from './helpers/services-pipeline'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'
import { testKafkaConnection } from './helpers/test-kafka'

type CliRun = CliProcess & { name: string }

const dirs: string[] = []
let sim: Simulator | null = null
let schema: string | null = null
let admin: Admin | null = null
afterEach(async () => {
  // A failed run must not leave its processes behind: they go first, whatever else fails.
  await killCliProcesses()
  await admin?.disconnect().catch(() => undefined)
  admin = null
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
  await sim?.stop()
  if (schema) await dropTestSchema(schema)
  sim = schema = null
})

/** `npm run pipeline` as its own process, on the run's broker and database, in a data dir of its own. */
async function startCli(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const dir = await tempDataDir(`tickflow-${name}-`)
  dirs.push(dir)
  return { ...spawnCli([...args, '--data-dir', dir], { env }), name }
}

/** The partitions each member of the group holds, sorted; once the group is stable. */
async function assignments(a: Admin, groupId: string, topic: string): Promise<number[][] | null> {
  const [g] = (await a.describeGroups([groupId])).groups
  if (g?.state !== 'Stable') return null
  return g.members
    .map((m) => [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])])
    .map((ps) => ps.sort())
    .sort()
}

/** Waits for a status line matching `re` while the process still runs; fails with what it printed. */
const printed = (r: CliRun, re: RegExp): Promise<unknown> =>
  waitFor(
    `${r.name} to print ${re}`,
    () => ({ ...r.out, code: r.child.exitCode }),
    (v) => {
      if (v.code !== null) throw new Error(`${r.name} exited ${v.code}: ${v.stdout}${v.stderr}`)
      return re.test(v.stdout)
    },
    180_000,
  )

// Only a cap for a hung run: the test stops each process itself once its work is done.
const DURATION = ['--duration', '300']

// Keyed by symbol, these land on each of the 3 partitions (kafkajs's murmur2): each writer has
// trades to store whichever partitions the group gives it.
const SYMBOLS = 'AAPL,BINANCE:BTCUSDT,NFLX,AMD,COINBASE:BTC-USD,AMZN,ORCL,IC MARKETS:1'

describe('--role ingest feeding two --role write processes of one group', () => {
  it('stores every trade exactly once when one writer is SIGKILLed mid-stream', async () => {
    schema = uniqueSchemaName('two')
    const [topic, group] = [`two-${schema}`, `writers-${schema}`]
    const onServices = [
      ...['--brokers', inject('kafkaBrokers'), '--topic', topic, '--partitions', '3'],
      ...['--group-id', group, '--database-url', inject('databaseUrl'), '--schema', schema],
    ]
    admin = createKafka(testKafkaConnection(`test-${schema}`)).admin()
    await admin.connect()
    sim = await startSimulator({ token: 'two-writers', seed: 8, tradesPerSecond: 300, retainSent: true })

    const ingest = await startCli(
      'ingest',
      ['--role', 'ingest', '--source', 'finnhub', '--finnhub-url', sim.url, '--symbols', SYMBOLS]
        .concat(onServices)
        .concat(DURATION),
      { FINNHUB_TOKEN: 'two-writers' },
    )
    await printed(ingest, /running \(finnhub open\) · recv \d+\/s · produced [1-9]/)
    const writerArgs = ['--role', 'write', ...onServices, ...DURATION]
    const [a, b] = await Promise.all([startCli('writer-a', writerArgs), startCli('writer-b', writerArgs)])
    // Both have stored rows: the group shares the partitions between them.
    const writing = /running \(writer running\) · written \d+\/s · lag \d+ · rows [1-9]/
    await Promise.all([printed(a, writing), printed(b, writing)])
    const shared = await waitFor(
      'the two writers to share the partitions',
      () => assignments(admin!, group, topic),
      (m) => m?.length === 2,
    )
    expect(shared!.flat().sort()).toEqual([0, 1, 2])

    a.child.kill('SIGKILL')
    expect(await a.exited).toMatchObject({ signal: 'SIGKILL' })
    // Mid-stream: the feed goes on after the kill, onto the dead writer's partitions too.
    expect(ingest.child.exitCode, 'the ingest ended before the kill').toBeNull()
    const sentAtKill = sim.stats().sentTrades
    const bAtKill = b.rows()
    // Once the group gives up on the dead member's session, its partitions move to the survivor.
    await waitFor(
      'the survivor to hold every partition',
      () => assignments(admin!, group, topic),
      (m) => JSON.stringify(m) === '[[0,1,2]]',
      120_000,
    )
    // The feed goes on through the takeover, then stops; the ingest is stopped once it has sent
    // Kafka every trade, the survivor once the table holds them all.
    const bAtTakeover = b.rows()
    await whileRunning(b, 'the survivor to write on', () => (b.rows() > bAtTakeover ? true : undefined))
    sim.setRate(0)

    const ingestEnd = await stopWhenSettled(ingest, { expected: () => sim!.stats().sentTrades })
    expect(ingestEnd, ingest.out.stderr).toEqual({ code: 0, signal: null })
    expect(ingest.out.stderr).toContain('terminated: draining')
    const sent = sim.stats().sentTrades
    expect(sent).toBeGreaterThan(sentAtKill)
    // The ingest's last line: what it sent to Kafka, and no rows column (it stores none).
    const fed =
      /^\S+ · stopped \(finnhub closed\) · recv \d+\/s · produced (\d+) · lag \S+ · rejects 0 · dropped 0 · disk [^·]+$/
    expect(ingest.lastLine()).toMatch(fed)
    expect(Number(fed.exec(ingest.lastLine())![1])).toBe(sent)

    const bEnd = await stopWhenSettled(b, { expected: () => sent, count: () => countStoredTrades(schema!) })
    expect(bEnd, b.out.stderr).toEqual({ code: 0, signal: null })
    expect(b.out.stderr).toContain('terminated: draining')
    const drained =
      /^\S+ · stopped \(writer stopped\) · written \d+\/s · lag 0 · rows (\d+) · rejects 0 · disk [^·]+$/
    expect(b.lastLine()).toMatch(drained)
    // The survivor took over: it stored what came after the kill.
    expect(Number(drained.exec(b.lastLine())![1])).toBeGreaterThan(bAtKill)

    const db = await openTestDatabase({ schema })
    try {
      const stored = await storedTradeKeys(db)
      const expected = sim.sent.map(tradeKey)
      expect(expected).toHaveLength(sent)
      expect(missingFrom(expected, stored)).toEqual([])
      expect(missingFrom(stored, expected)).toEqual([])
    } finally {
      await db.close()
      schema = null
    }
  }, 400_000)
})
