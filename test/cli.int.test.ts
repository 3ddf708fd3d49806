import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest'
import { sampleFrames, MALFORMED_FRAMES } from '../src/main/pipeline/sources/sample-frames'
import { writeFrameFile } from '../src/main/pipeline/sources/jsonl'
import { startSimulator } from '../src/main/pipeline/sources/simulator'
import { killCliProcesses, spawnCli } from './helpers/cli-process'
import { waitFor } from './helpers/harness'
import { kafkaSaslEnv } from './helpers/test-kafka'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI to its end: its exit code and all it printed. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const run = spawnCli(args, { env })
  const { code } = await run.exited
  return { code, ...run.out }
}

describe('npm run pipeline (headless CLI)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-cli-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  afterEach(killCliProcesses)
  // The run's real broker and database, with a topic and schema of the test's own.
  const onServices = (schema: string): string[] => [
    ...['--brokers', inject('kafkaBrokers'), '--topic', `cli-${schema}`],
    ...['--database-url', inject('databaseUrl'), '--schema', schema, '--data-dir', dir],
  ]

  it('replays a recording at max speed, drains and exits 0', async () => {
    const file = join(dir, 'rec.jsonl')
    await writeFrameFile(file, sampleFrames({ trades: 5_000, seed: 9, malformedEvery: 100 }))
    const schema = uniqueSchemaName('cli')
    const run = await cli([
      '--source',
      'replay',
      '--replay-file',
      file,
      '--speed',
      'max',
      ...onServices(schema),
    ])
    expect(run.stderr).toContain('replay finished: draining')
    expect(run.code).toBe(0)
    // The last status line shows every trade written and the bad frames rejected.
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/stopped .* rows 5000 · rejects \d+ · dropped 0/)
    // …and the data dir's disk use (the logs only: broker and database are external, so no budget).
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/ · disk \d+(\.\d)? [kMGT]B, \d+\.\d [MGT]B free$/)
    const db = await openTestDatabase({ schema })
    try {
      const n = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM trades')
      expect(n.rows[0]!.n).toBe(5_000)
      const r = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM rejects')
      expect(r.rows[0]!.n).toBeGreaterThanOrEqual(MALFORMED_FRAMES.length)
    } finally {
      await db.close()
    }
  })

  // Issue 15, L10: the run's broker asks for a user (L5), as a secured cluster does.
  it.skipIf(inject('kafkaSasl') === null)(
    'names the settings a secured cluster needs when it hangs up on a client without them',
    async () => {
      const schema = uniqueSchemaName('cli')
      const run = await cli(
        ['--source', 'demo', ...onServices(schema), '--duration', '5'],
        kafkaSaslEnv(null),
      )
      expect(run.code).not.toBe(0)
      const last = run.stderr.trim().split('\n').at(-1)!
      expect(last).toMatch(
        /^tickflow: cannot reach Kafka at .*: Closed connection \(the broker closed the connection during the handshake: it may require SASL or TLS/,
      )
      for (const setting of [
        'KAFKA_SSL',
        'KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
      ])
        expect(last).toContain(setting)
      await dropTestSchema(schema)
    },
  )

  it('exits non-zero with a one-line reason when PostgreSQL is unreachable', async () => {
    const run = await cli([
      '--source',
      'demo',
      '--brokers',
      inject('kafkaBrokers'),
      '--database-url',
      'postgres://nobody:secret@127.0.0.1:1/none',
      '--data-dir',
      dir,
      '--duration',
      '5',
    ])
    expect(run.code).not.toBe(0)
    const last = run.stderr.trim().split('\n').at(-1)!
    expect(last).toMatch(/^tickflow: .*127\.0\.0\.1:1/)
    expect(run.stderr).not.toContain('secret')
  })

  it('rejects bad settings with the setting named, before starting anything', async () => {
    const bad = await cli(['--symbols', 'AAPL,$$$', '--data-dir', dir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^tickflow: .*symbol/m)
    const replay = await cli(['--source', 'replay', '--data-dir', dir])
    expect(replay.code).toBe(2)
    expect(replay.stderr).toContain('--replay-file')
  })

  it('drains and exits 0 on SIGINT', async () => {
    const schema = uniqueSchemaName('cli')
    const run = spawnCli(['--source', 'demo', '--demo-rate', '200', ...onServices(schema)])
    await waitFor(
      'a running status line',
      () => run.out.stdout,
      (out) => /running \(demo open\)/.test(out),
    )
    run.kill('SIGINT')
    const { code } = await run.exited
    expect(code).toBe(0)
    expect(run.out.stderr).toContain('interrupted: draining')
    const last = run.lastLine()
    expect(last).toMatch(/stopped .* lag 0 · rows (\d+) · rejects 0 · dropped 0/)
    const db = await openTestDatabase({ schema })
    try {
      const n = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM trades')
      // Everything the status line counted as written is in the table.
      expect(n.rows[0]!.n).toBe(Number(/rows (\d+)/.exec(last)![1]))
      expect(n.rows[0]!.n).toBeGreaterThan(0)
    } finally {
      await db.close()
    }
  })

  it('reports a refused Finnhub token in words, without the token, and exits non-zero', async () => {
    const sim = await startSimulator({ token: 'the-right-token' })
    const schema = uniqueSchemaName('cli')
    try {
      const run = await cli(['--source', 'finnhub', '--finnhub-url', sim.url, ...onServices(schema)], {
        FINNHUB_TOKEN: 'wrong-token-4711',
      })
      expect(run.code).toBe(1)
      expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^tickflow: .*401/)
      expect(run.stdout + run.stderr).not.toContain('wrong-token-4711')
      // Refused once, not retried forever.
      expect(sim.stats().rejectedHandshakes).toBe(1)
    } finally {
      await dropTestSchema(schema)
      await sim.stop()
    }
  })
})
