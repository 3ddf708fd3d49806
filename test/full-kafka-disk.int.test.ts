import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import {
  alertLines,
  killCliProcesses,
  spawnCliOnPort,
  stopWhenSettled,
  whileRunning,
} from './helpers/cli-process'
import { expectStoredAsSent } from './helpers/harness'
import { killMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'
import { cannotMount, fillWithBallast, mountTmpfs, removeBallast, unmount } from './helpers/small-disk'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'

// Only a cap for a hung run: the test stops the CLI itself once every sent trade is stored.
const DURATION_S = 300
// The broker's metadata, offsets topic and a few seconds of trades fit many times over.
const DISK_MB = 64
// A deadline, not a timing goal: each alert came within a few seconds of the fill here.
const ALERT_DEADLINE_MS = 30_000

const noMount = await cannotMount()

let sim: Simulator | null = null
let dir: string | null = null
let disk: string | null = null
let schema: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  if (dir) await killMentioning(dir) // a broker a failed test left behind, never outside this dir
  if (disk) await unmount(disk)
  if (dir) await rm(dir, { recursive: true, force: true })
  if (schema) await dropTestSchema(schema)
  sim = dir = disk = schema = null
})

describe.skipIf(noMount !== null)(
  `the managed broker's log on a disk that fills up mid-stream${noMount ? ` (skipped: ${noMount})` : ''}`,
  () => {
    it('stops the broker, says its disk is full, holds the feed in the producer and resumes once space is freed; nothing lost or doubled', async () => {
      dir = await tempDataDir('tickflow-full-kafka-')
      schema = uniqueSchemaName('fkd')
      // <dir>/kafka, where the managed broker keeps its log and its own logs, is a small tmpfs.
      const mnt = join(dir, 'kafka')
      await mkdir(mnt)
      await mountTmpfs(mnt, DISK_MB)
      disk = mnt
      const ballast = join(mnt, 'ballast')
      sim = await startSimulator({ seed: 31, tradesPerSecond: 400, tradesPerFrame: [1, 6], retainSent: true })
      const [feed, sch, data] = [sim.url, schema, dir]
      const args = (port: number): string[] => [
        ...['--source', 'finnhub', '--finnhub-url', feed, '--symbols', 'AAPL,AMZN'],
        ...['--kafka-port', String(port), '--topic', `fkd-${sch}`, '--group-id', `fkd-${sch}`],
        ...['--database-url', inject('databaseUrl'), '--schema', sch],
        ...['--data-dir', data, '--duration', String(DURATION_S)],
      ]
      const spawnedAt = Date.now()
      const { cli } = await spawnCliOnPort(args, { env: { FINNHUB_TOKEN: 'any-token' } })
      const { out } = cli
      const marks: string[] = [] // when each step came, in s after the spawn, for the log
      const mark = (what: string): number =>
        marks.push(`${what} ${Math.round((Date.now() - spawnedAt) / 1000)}`)

      await whileRunning(
        cli,
        'rows before the disk fills',
        () => (cli.rows() >= 500 ? true : undefined),
        180_000,
      )
      await fillWithBallast(ballast)
      mark('filled')
      // Kafka fails its only log dir and shuts down; the supervisor names the disk.
      const died = await whileRunning(
        cli,
        'the broker to die of the full disk',
        () => alertLines(cli).find((l) => /^error: Kafka broker \(pid \d+\) exited/.test(l)),
        ALERT_DEADLINE_MS,
      )
      expect(died).toContain(
        `exited with code 1: its disk is full, ${join(dir, 'kafka', 'data')} (disk mounted at ${mnt}): `,
      )
      // It stays down while the disk is full: a restart fails, and says why.
      const refused = await whileRunning(
        cli,
        'a restart refused for want of space',
        () => alertLines(cli).find((l) => /^error: Kafka broker could not restart: /.test(l)),
        ALERT_DEADLINE_MS,
      )
      expect(refused).toContain('the disk is full: ')
      mark('down')
      const atDeath = cli.rows()

      await removeBallast(ballast)
      mark('freed')
      await whileRunning(cli, 'the broker back and writes resumed', () =>
        alertLines(cli).some((l) => /^info: Kafka broker is back on/.test(l)) && cli.rows() >= atDeath + 500
          ? true
          : undefined,
      )
      mark('resumed')
      sim.setRate(0)
      const { code } = await stopWhenSettled(cli, { expected: () => sim!.stats().sentTrades })
      mark('exited')
      console.log(`[full-kafka-disk] s after the spawn: ${marks.join(', ')}`)
      expect(code, out.stderr).toBe(0)
      // The producer's buffer held the feed while the broker was down: nothing dropped.
      expect(cli.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)

      const db = await openTestDatabase({ schema })
      try {
        await expectStoredAsSent(db, sim)
      } finally {
        await db.close() // drops the schema; afterEach then has nothing left to drop
      }
    }, 400_000)
  },
)
