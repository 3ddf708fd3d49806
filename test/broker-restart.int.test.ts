import { rm } from 'node:fs/promises'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { brokerStatus } from '../src/main/kafka/broker/local-broker'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import {
  alertLines,
  killCliProcesses,
  spawnCliOnPort,
  stopWhenSettled,
  whileRunning,
} from './helpers/cli-process'
import { expectStoredAsSent } from './helpers/harness'
import { killMentioning, processesMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'

// Only a cap for a hung run: the test stops the CLI itself once every sent trade is stored.
const DURATION_S = 300

let sim: Simulator | null = null
let dir: string | null = null
let schema: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  if (dir) {
    await killMentioning(dir) // a broker a failed test left behind, never outside this data dir
    await rm(dir, { recursive: true, force: true })
  }
  if (schema) await dropTestSchema(schema)
  sim = dir = schema = null
})

describe('the managed broker SIGKILLed under the CLI pipeline', () => {
  it('is restarted on its port; no trade is lost or doubled; the CLI drains and exits 0 on SIGTERM', async () => {
    dir = await tempDataDir('tickflow-broker-restart-')
    schema = uniqueSchemaName('brk')
    sim = await startSimulator({ seed: 21, tradesPerSecond: 400, tradesPerFrame: [1, 6], retainSent: true })
    // Its own broker in the data dir, on a free port (never a developer's 9092); the run's PostgreSQL.
    const [feed, sch, data] = [sim.url, schema, dir]
    const args = (port: number): string[] => [
      ...['--source', 'finnhub', '--finnhub-url', feed, '--symbols', 'AAPL,AMZN'],
      ...['--kafka-port', String(port), '--topic', `brk-${sch}`, '--group-id', `brk-${sch}`],
      ...['--database-url', inject('databaseUrl'), '--schema', sch],
      ...['--data-dir', data, '--duration', String(DURATION_S)],
    ]
    const spawnedAt = Date.now()
    const { cli, port } = await spawnCliOnPort(args, { env: { FINNHUB_TOKEN: 'any-token' } })
    const { out } = cli
    const marks: string[] = [] // when each step came, in s after the spawn, for the log
    const mark = (what: string): number =>
      marks.push(`${what} ${Math.round((Date.now() - spawnedAt) / 1000)}`)

    await whileRunning(cli, 'rows before the kill', () => (cli.rows() >= 500 ? true : undefined), 180_000)
    const before = await brokerStatus(dir)
    if (!before.running) throw new Error(`no broker recorded for the data dir; stderr:\n${out.stderr}`)
    expect(before.port).toBe(port)
    process.kill(before.pid, 'SIGKILL')
    mark('killed')
    const back = await whileRunning(cli, 'the broker to be back', () =>
      out.stderr.match(/^info: Kafka broker is back on (\S+) \(pid (\d+)\)$/m),
    )
    mark('back')
    expect(back[1]).toBe(`127.0.0.1:${port}`)
    const after = await brokerStatus(dir)
    expect(after).toMatchObject({ running: true, port, pid: Number(back[2]) })
    expect(after.running && after.pid).not.toBe(before.pid)
    // The supervisor's first word is the death it saw.
    expect(alertLines(cli).find((l) => / Kafka broker /.test(l))).toMatch(
      new RegExp(`^error: Kafka broker \\(pid ${before.pid}\\) was killed by SIGKILL; restarting it in`),
    )

    // The stream goes on through the restarted broker (the writer may first wait out its old session).
    const atBack = cli.rows()
    await whileRunning(cli, 'writes after the restart', () => (cli.rows() >= atBack + 500 ? true : undefined))
    expect(cli.lastLine()).toMatch(/^\S+ · running \(/)
    mark('feed stopped')
    sim.setRate(0)
    // Every commit's answer arrives (PostgreSQL is not what fails here), so `rows` is the stored count.
    const { code } = await stopWhenSettled(cli, { expected: () => sim!.stats().sentTrades })
    mark('exited')
    console.log(`[broker-restart] s after the spawn: ${marks.join(', ')}`)
    expect(out.stderr).toContain('terminated: draining')
    expect(code, out.stderr).toBe(0)
    expect(out.stdout).not.toMatch(/ failed \(/)
    expect(cli.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)
    // No failure in words but the producer's and consumer's reports of the outage: the restarted
    // broker is the same cluster, so the pipeline's pin on the cluster id holds.
    expect(alertLines(cli).filter((l) => /cluster/.test(l))).toEqual([])
    // The CLI stopped the broker it restarted.
    expect(await processesMentioning(dir)).toEqual([])

    const db = await openTestDatabase({ schema })
    try {
      await expectStoredAsSent(db, sim)
    } finally {
      await db.close() // drops the schema; afterEach then has nothing left to drop
    }
  }, 400_000)
})
