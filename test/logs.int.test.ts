import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject, vi } from 'vitest'
import { runFace } from '../src/main/face'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { killCliProcesses, spawnCli } from './helpers/cli-process'
import { dropTestSchema, uniqueSchemaName } from './setup/test-database'

// The real CLI, at --log-level debug, with a Finnhub token and a PostgreSQL password in play: the
// logs hold kafkajs (main thread and consumer thread) and pipeline entries as JSON lines, and
// neither secret appears in a log, on stdout or on stderr.

const TOKEN = 'fh-log-test-token-7Qz'
let dir: string
let sim: Simulator
const schema = uniqueSchemaName('logs')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-logs-'))
  // A wrong token would get HTTP 401: trades flowing shows the token reached the source.
  sim = await startSimulator({ token: TOKEN, tradesPerSecond: 100 })
})

afterAll(async () => {
  await sim?.stop()
  await dropTestSchema(schema).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
})

/** The run's database URL with a password: embedded PostgreSQL has one; trust auth ignores an added one. */
function databaseUrlWithPassword(): { url: string; password: string } {
  const url = new URL(inject('databaseUrl'))
  if (!url.password) url.password = 'pg-log-test-password-3Kd'
  return { url: url.href, password: decodeURIComponent(url.password) }
}

afterEach(killCliProcesses)

it('writes kafkajs and pipeline entries as JSON lines at debug, with no secret anywhere', async () => {
  const db = databaseUrlWithPassword()
  const run = spawnCli(
    [
      ...['--source', 'finnhub', '--finnhub-url', sim.url, '--symbols', 'AAPL,AMZN'],
      ...['--brokers', inject('kafkaBrokers'), '--topic', `logs-${schema}`, '--group-id', `logs-${schema}`],
      ...['--database-url', db.url, '--schema', schema, '--data-dir', dir],
      ...['--log-level', 'debug', '--duration', '6'],
    ],
    // Only --log-level sets the level, not the developer's TICKFLOW_LOG_LEVEL.
    { env: { FINNHUB_TOKEN: TOKEN, TICKFLOW_LOG_LEVEL: '' } },
  )
  const { code } = await run.exited
  const { stdout, stderr } = run.out
  expect(code, stderr).toBe(0)
  expect(stdout).toMatch(/running \(finnhub open\)/)

  const files = (await readdir(join(dir, 'logs'))).filter((f) => f.endsWith('.log'))
  expect(files.length).toBeGreaterThan(0)
  expect(files.every((f) => /^pipeline\.\d+\.log$/.test(f))).toBe(true)
  const text = (await Promise.all(files.map((f) => readFile(join(dir, 'logs', f), 'utf8')))).join('')
  const records = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>) // every line is one JSON object
  for (const r of records) expect(r).toMatchObject({ level: expect.any(String), time: expect.any(String) })

  const kafkajs = records.filter((r) => r.component === 'kafkajs')
  expect(kafkajs.some((r) => r.level === 'debug')).toBe(true)
  expect(kafkajs.every((r) => typeof r.namespace === 'string')).toBe(true)
  // The consumer runs in a worker thread: its entries reach the same file.
  expect(kafkajs.some((r) => r.msg === 'Consumer has joined the group')).toBe(true)

  const pipeline = records.filter((r) => r.component === 'pipeline').map((r) => r.msg)
  expect(pipeline).toContain('pipeline running')
  expect(pipeline).toContain('pipeline stopped')
  expect(records.some((r) => r.component === 'source' && r.msg === 'source open')).toBe(true)

  // The settings are logged with their secrets masked, and the secrets appear nowhere.
  const settings = records.find((r) => r.msg === 'settings')?.settings as Record<string, unknown>
  expect(settings.finnhubToken).toBe('[redacted]')
  expect(settings.databaseUrl).toContain(':[redacted]@')
  for (const secret of [TOKEN, db.password, encodeURIComponent(db.password)]) {
    expect(text).not.toContain(secret)
    expect(stdout).not.toContain(secret)
    expect(stderr).not.toContain(secret)
  }
})

// In process: a face opens <data dir>/logs at --log-level, logs how the run ended, and says why it
// failed in one line without the secrets the settings hold.
describe('runFace', () => {
  const FACE_TOKEN = 'face-test-token-9Xv'
  let faceDir: string
  let stderr: string[]

  beforeEach(async () => {
    faceDir = await mkdtemp(join(tmpdir(), 'tickflow-face-'))
    stderr = []
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void stderr.push(String(line)))
    vi.stubEnv('FINNHUB_TOKEN', FACE_TOKEN)
    vi.stubEnv('DATABASE_URL', '')
    vi.stubEnv('TICKFLOW_LOG_LEVEL', '')
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
    await rm(faceDir, { recursive: true, force: true })
  })

  it('logs the failure and prints it without the token or the database password', async () => {
    const dbUrl = 'postgres://me:db-pw-1@127.0.0.1:1/x'
    const code = await runFace({
      argv: ['--data-dir', faceDir, '--log-level', 'debug', '--database-url', dbUrl],
      usage: '',
      logName: 'pipeline',
      run: async () => {
        throw new Error(`could not reach ${dbUrl} with ?token=${FACE_TOKEN}`)
      },
    })
    expect(code).toBe(1)
    expect(stderr.at(-1)).toMatch(/^tickflow: could not reach postgres:\/\/me:\[redacted\]@127\.0\.0\.1:1\/x/)
    const text = await readFile(join(faceDir, 'logs', 'pipeline.1.log'), 'utf8')
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(records.map((r) => [r.component, r.level, r.msg])).toEqual([
      ['face', 'info', 'started'],
      ['face', 'debug', 'settings'],
      ['face', 'error', 'failed'],
    ])
    for (const out of [text, stderr.join('\n')]) {
      expect(out).not.toContain(FACE_TOKEN)
      expect(out).not.toContain('db-pw-1')
    }
  })

  it('keeps only what reaches the chosen level', async () => {
    const code = await runFace({
      argv: ['--data-dir', faceDir, '--log-level', 'warn'],
      usage: '',
      run: async () => {},
    })
    expect(code).toBe(0)
    // Nothing at warn or above happened: the file exists and is empty.
    expect(await readFile(join(faceDir, 'logs', 'tickflow.1.log'), 'utf8')).toBe('')
  })
})
