import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pinoRoll from 'pino-roll'
import { appLog, appLogLevel, createLogger, endStream, openLog, type LogHandle } from './logger'
import { maskSecrets } from './redact'

const SECRET = 'fh-token-0123456789'
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r))

/** A logger writing into an array, one parsed JSON object per line. */
function memoryLogger(level: Parameters<typeof createLogger>[1], secrets: string[] = []) {
  const lines: string[] = []
  const logger = createLogger({ write: (l: string) => void lines.push(l) }, level, secrets)
  return { logger, lines, records: (): Record<string, unknown>[] => lines.map((l) => JSON.parse(l)) }
}

describe('createLogger', () => {
  it('keeps the entries at or above its level, and drops the rest', () => {
    const { logger, records } = memoryLogger('warn')
    logger.trace('t')
    logger.debug('d')
    logger.info('i')
    logger.warn('w')
    logger.error('e')
    logger.fatal('f')
    expect(records().map((r) => [r.level, r.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
      ['fatal', 'f'],
    ])
  })

  it('keeps everything at trace, as JSON lines with an ISO-8601 UTC time', () => {
    const { logger, lines, records } = memoryLogger('trace')
    logger.child({ component: 'x' }).trace({ n: 1 }, 'deep')
    expect(lines[0]!.endsWith('\n')).toBe(true)
    expect(records()[0]).toMatchObject({ level: 'trace', component: 'x', n: 1, msg: 'deep' })
    expect(String(records()[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('masks secrets in the message, the fields, errors and child bindings', () => {
    const { logger, lines } = memoryLogger('info', [SECRET])
    logger.info(`token is ${SECRET}`)
    logger.info(
      { finnhubToken: 'whatever', url: 'postgres://u:pw1@h/d', nested: { saslPassword: 'p' } },
      'fields',
    )
    logger.error(new Error(`failed with ?token=${SECRET}`))
    logger.child({ url: `wss://ws.finnhub.io/?token=${SECRET}` }).warn('bound')
    const text = lines.join('')
    expect(lines).toHaveLength(4)
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain('whatever')
    expect(text).not.toContain('pw1')
    expect(text).not.toContain('"p"')
    expect(JSON.parse(lines[2]!).err.message).toBe('failed with ?token=[redacted]')
  })
})

describe('openLog', () => {
  let dir: string
  let handle: LogHandle | null = null
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-log-'))
  })
  afterEach(async () => {
    await handle?.close()
    handle = null
    await rm(dir, { recursive: true, force: true })
  })

  const files = async (): Promise<string[]> => (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()

  it('routes appLog into <dir>/<name>.N.log at its level, and is silent before and after', async () => {
    appLog('before').error('nowhere')
    expect(appLogLevel()).toBe('silent')
    handle = await openLog({ dir, name: 'pipeline', level: 'debug', secrets: [SECRET] })
    expect(appLogLevel()).toBe('debug')
    appLog('pipeline').debug('kept')
    appLog('pipeline').trace('dropped')
    appLog('services').info(`started with ${SECRET}`)
    expect(maskSecrets(`an error naming ${SECRET}`)).toBe('an error naming [redacted]')
    await handle.close()
    appLog('after').error('nowhere either')
    expect(appLogLevel()).toBe('silent')

    expect(await files()).toEqual(['pipeline.1.log'])
    const text = await readFile(join(dir, 'pipeline.1.log'), 'utf8')
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(records.map((r) => [r.component, r.level, r.msg])).toEqual([
      ['pipeline', 'debug', 'kept'],
      ['services', 'info', 'started with [redacted]'],
    ])
    expect(text).not.toContain(SECRET)
  })

  it('rolls over by size and keeps a bounded number of files, across runs too', async () => {
    const maxFileBytes = 4_000
    const line = { pad: 'x'.repeat(300) }
    for (let run = 0; run < 2; run++) {
      handle = await openLog({ dir, name: 'pipeline', level: 'info', maxFileBytes, maxFiles: 3 })
      for (let i = 0; i < 200; i++) {
        appLog('test').info(line, `line ${run}.${i}`)
        await nextTurn() // pino-roll rolls on the stream's next drain, as it would between real entries
      }
      await handle.close()
      handle = null
      const names = await files()
      expect(names).toHaveLength(3)
      for (const f of names) expect((await stat(join(dir, f))).size).toBeLessThan(maxFileBytes + 1_000)
    }
    // The newest lines survive, the oldest are gone.
    const kept = await Promise.all((await files()).map((f) => readFile(join(dir, f), 'utf8')))
    expect(kept.join('')).toContain('"msg":"line 1.199"')
    expect(kept.join('')).not.toContain('"msg":"line 0.0"')
  })

  it('trims what earlier runs left beyond the bound as it opens, and appends to the newest file', async () => {
    for (let n = 1; n <= 6; n++) await writeFile(join(dir, `pipeline.${n}.log`), `run ${n}\n`)
    handle = await openLog({ dir, name: 'pipeline', level: 'info', maxFiles: 3 })
    expect(await files()).toEqual(['pipeline.4.log', 'pipeline.5.log', 'pipeline.6.log'])
    appLog('test').info('appended')
    await handle.close()
    handle = null
    expect(await readFile(join(dir, 'pipeline.6.log'), 'utf8')).toMatch(/^run 6\n.*"msg":"appended"/)
  })

  it('leaves the files of other logs alone', async () => {
    await writeFile(join(dir, 'serve.1.log'), 'x\n')
    handle = await openLog({ dir, name: 'pipeline', level: 'info', maxFileBytes: 1_000, maxFiles: 2 })
    for (let i = 0; i < 50; i++) {
      appLog('test').info({ pad: 'y'.repeat(100) }, 'fill')
      await nextTurn()
    }
    await handle.close()
    handle = null
    expect(await files()).toContain('serve.1.log')
    expect((await files()).filter((f) => f.startsWith('pipeline.'))).toHaveLength(2)
  })
})

describe('endStream', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-log-end-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('resolves for a stream already destroyed (after a write or roll error), where end() throws', async () => {
    const stream = await pinoRoll({ file: join(dir, 'app'), extension: '.log', sync: true })
    stream.write('kept\n')
    await new Promise<void>((closed) => {
      stream.once('close', () => closed())
      stream.destroy()
    })
    expect(() => stream.end()).toThrow('SonicBoom destroyed') // what close() used to meet
    const reported: Error[] = []
    await expect(endStream(stream, (err) => reported.push(err))).resolves.toBeUndefined()
    expect(reported).toEqual([]) // nothing failed: the file was closed already
    expect(await readFile(join(dir, 'app.1.log'), 'utf8')).toBe('kept\n')
  })

  it('flushes and closes a live stream', async () => {
    const stream = await pinoRoll({ file: join(dir, 'app'), extension: '.log', sync: true })
    stream.write('line\n')
    await endStream(stream, (err) => {
      throw err
    })
    expect(() => stream.write('late\n')).toThrow('SonicBoom destroyed')
    expect(await readFile(join(dir, 'app.1.log'), 'utf8')).toBe('line\n')
  })
})
