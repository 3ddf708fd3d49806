import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Teardown } from '../../../test/helpers/teardown'
import { processesMentioning } from '../../../test/helpers/processes'
import { isProcessAlive } from '../base/process-info'
import { createPool } from './database'
import { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded'
import { migrate } from './migrate'
import { dropTradeDay } from './retention'

/** These start their own servers, not the run's shared one. */

/** What a user's environment may hold, which no child of ours should see. */
const SECRET_ENV = {
  FINNHUB_TOKEN: 'sekrit-token',
  KAFKA_SASL_PASSWORD: 'sekrit-pw',
  PGPASSWORD: 'sekrit-pg',
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows
  } finally {
    await client.end()
  }
}

const postmasterPid = (dataDir: string): number =>
  Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0])

// A sequence on one cluster: the first test initialises it and stores `kept`, and each later test
// starts from the stopped cluster the one before left, so a later test run alone misses them. One
// initdb serves the file: a cold start costs several seconds, which each test would pay again.
describe.sequential('embedded PostgreSQL', () => {
  let dataDir: string
  const teardown = new Teardown()
  beforeAll(() => {
    Object.assign(process.env, SECRET_ENV)
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickflow-embedded-'))
    fs.chmodSync(dataDir, 0o755) // as root the server runs as "postgres", which must enter it
  })
  afterEach(() => teardown.run())
  afterAll(() => {
    for (const k of Object.keys(SECRET_ENV)) delete process.env[k]
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  /** Started, and stopped in afterEach should the test not get to stop it (stop() is idempotent). */
  async function start(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const s = await startEmbeddedPostgres(opts)
    teardown.add(() => s.stop())
    return s
  }

  it('initialises once, then reuses the cluster and its data', async () => {
    const progress: string[] = []
    let t0 = Date.now()
    let server = await start({ dataDir, onProgress: (m) => progress.push(m) })
    const cold = Date.now() - t0
    expect(server.initialised).toBe(true)
    expect(progress.some((m) => m.startsWith('Initialising PostgreSQL'))).toBe(true)
    expect(server.url).toMatch(/^postgres:\/\/tickflow:[^@]+@127\.0\.0\.1:\d+\/tickflow$/)
    expect(fs.statSync(path.join(dataDir, 'postgres.password')).mode & 0o077).toBe(0)
    expect(fs.statSync(path.join(dataDir, 'tickflow.password')).mode & 0o077).toBe(0)
    await query(server.url, `CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)`)
    const pid = postmasterPid(dataDir)
    // started with our secrets in the environment (SECRET_ENV), the server holds none of them
    expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toMatch(/sekrit/)
    await server.stop()
    expect(alive(pid)).toBe(false)
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false)

    t0 = Date.now()
    server = await start({ dataDir })
    const warm = Date.now() - t0
    expect(server.initialised).toBe(false)
    expect(await query(server.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }])
    expect(await query(server.url, 'SHOW TimeZone')).toEqual([{ TimeZone: 'UTC' }])
    console.log(`embedded PostgreSQL: cold start ${cold} ms, warm start ${warm} ms`)
    await server.stop()
  })

  it('starts over a stale postmaster.pid whose pid is now another program', async () => {
    const sleeper = teardown.child(spawn('sleep', ['60']))
    const file = path.join(dataDir, 'postgres', 'postmaster.pid')
    fs.writeFileSync(file, `${sleeper.pid}\n${path.join(dataDir, 'postgres')}\n1\n5432\n\n127.0.0.1\n`)
    const progress: string[] = []
    const server = await start({ dataDir, onProgress: (m) => progress.push(m) })
    expect(progress.some((m) => m.includes('stale postmaster.pid'))).toBe(true)
    expect(await query(server.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }])
    expect(alive(sleeper.pid!)).toBe(true) // not ours to stop
    await server.stop()
  })

  /** The superuser's URL: setup only, the app never gets it. */
  const superUrl = (server: EmbeddedPostgres): string =>
    server.url.replace(
      /^postgres:\/\/tickflow:[^@]+@/,
      `postgres://postgres:${encodeURIComponent(fs.readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim())}@`,
    )

  /** A pool on the schema, ended by the test or else by teardown; a server stop is no error here. */
  function pool(url: string, schema: string): pg.Pool {
    const p = createPool(url, schema)
    p.on('error', () => undefined)
    teardown.add(() => (p.ending ? undefined : p.end()))
    return p
  }

  it('connects the app as tickflow: owner of its database, and no more than that', async () => {
    const server = await start({ dataDir })
    expect(
      await query(
        superUrl(server),
        `SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin,
                (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'tickflow') AS db_owner
           FROM pg_roles WHERE rolname = 'tickflow'`,
      ),
    ).toEqual([
      {
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
        db_owner: 'tickflow',
      },
    ])
    // what a superuser could do from an injected query, and this role cannot
    for (const sql of [
      `COPY (SELECT 1) TO PROGRAM 'true'`,
      `SELECT pg_read_file('postgresql.conf')`,
      `ALTER SYSTEM SET work_mem = '1MB'`,
      `CREATE DATABASE other`,
      `CREATE ROLE other`,
    ])
      await expect(query(server.url, sql), sql).rejects.toThrow(/permission denied|must be superuser/)
    await server.stop()
  })

  it("hands a data dir of the superuser's over to tickflow at its next start, which then runs the app's DDL", async () => {
    // The state a data dir had before the role: schema, tables, partitions, functions, triggers and
    // the database itself owned by postgres, and no tickflow role nor its password file.
    let server = await start({ dataDir })
    const su = superUrl(server)
    await query(su, `ALTER DATABASE tickflow OWNER TO postgres; REASSIGN OWNED BY tickflow TO postgres`)
    await query(su.replace(/\/tickflow$/, '/postgres'), `DROP ROLE tickflow`)
    const legacy = pool(su, 'legacy')
    await migrate(legacy, { schema: 'legacy' })
    await legacy.query(`SELECT trades_add_days(ARRAY[date '2026-01-01', date '2026-01-02'])`)
    await legacy.query(
      `CREATE TABLE legacy.own_serial (id serial PRIMARY KEY, at int GENERATED ALWAYS AS IDENTITY)`,
    )
    await legacy.end()
    fs.rmSync(path.join(dataDir, 'tickflow.password'))
    await server.stop()

    server = await start({ dataDir })
    expect(fs.statSync(path.join(dataDir, 'tickflow.password')).mode & 0o077).toBe(0)
    const left = await query(
      superUrl(server),
      `SELECT 'rel ' || oid::regclass AS obj FROM pg_class
        WHERE relnamespace IN ('legacy'::regnamespace, 'public'::regnamespace) AND relowner <> 'tickflow'::regrole
       UNION ALL SELECT 'fn ' || oid::regprocedure FROM pg_proc
        WHERE pronamespace = 'legacy'::regnamespace AND proowner <> 'tickflow'::regrole
       UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = 'legacy' AND nspowner <> 'tickflow'::regrole`,
    )
    expect(left).toEqual([])
    expect(await query(server.url, 'SELECT x FROM public.kept')).toEqual([{ x: 42 }])

    // The app's DDL, as the role: migrations (none left to apply, then a function replaced as a
    // later one would), a day partition made, one dropped (DETACH, DROP), an index rebuilt
    // concurrently, sizes measured, a serial and an identity column used.
    const app = pool(server.url, 'legacy')
    expect((await migrate(app, { schema: 'legacy' })).applied).toEqual([])
    const def = await app.query<{ sql: string }>(
      `SELECT pg_get_functiondef('trades_add_days(date[])'::regprocedure) AS sql`,
    )
    await app.query(def.rows[0]!.sql)
    await app.query(`SELECT trades_add_days(ARRAY[date '2026-01-03'])`)
    expect(await dropTradeDay(app, Date.UTC(2026, 0, 1) / 86_400_000)).toBe('dropped')
    const index = await app.query<{ name: string }>(
      `SELECT x.indexrelid::regclass::text AS name FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid
        WHERE i.inhparent = 'trades'::regclass LIMIT 1`,
    )
    await app.query(`REINDEX INDEX CONCURRENTLY ${index.rows[0]!.name}`)
    await app.query(
      `SELECT pg_database_size(current_database()), (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('trades'))`,
    )
    await app.query(`INSERT INTO own_serial DEFAULT VALUES`)
    await app.end()
    await server.stop()
  })

  /**
   * An app that starts the server and says READY; the test kills it. Teardown kills the app and
   * stops its server (own process group) by pid, should the test end before that.
   */
  async function startApp(): Promise<ReturnType<typeof spawn>> {
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve(import.meta.dirname, 'embedded.ts'))}
      const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} })
      console.log('READY ' + pg.port)
      setInterval(() => {}, 1000)`
    const app = teardown.child(
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: path.resolve(import.meta.dirname, '../../..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    )
    await new Promise<void>((resolve, reject) => {
      app.stdout!.on('data', (b: Buffer) => b.toString().includes('READY') && resolve())
      app.on('exit', (code) => reject(new Error(`app exited early (${code})`)))
    })
    // SIGINT: PostgreSQL's fast shutdown, which removes its postmaster.pid for the next test.
    teardown.pid(postmasterPid(dataDir), { signal: 'SIGINT', group: true, mentioning: dataDir })
    return app
  }

  async function waitGone(pid: number, ms: number): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end;) {
      if (!alive(pid)) return true
      await new Promise((r) => setTimeout(r, 100))
    }
    return false
  }

  it('is stopped by its watchdog when the app is SIGKILLed (it runs in a process group of its own)', async () => {
    const app = await startApp()
    const server = postmasterPid(dataDir)
    expect(alive(server)).toBe(true)
    app.kill('SIGKILL')
    await new Promise((r) => app.on('exit', r))
    expect(await waitGone(server, 30_000)).toBe(true)
    // A fast shutdown, not a crash: the server removed its pid file itself.
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false)
  })

  it('takes over from a server orphaned by a crashed app whose watchdog died too', async () => {
    const app = await startApp()
    const orphan = postmasterPid(dataDir)
    // Whatever killed the app took its watchdog along (an OOM killer, a kill -9 of the tree).
    // (read as processesMentioning does: a process that exits meanwhile is no error)
    const dogs = (await processesMentioning('tickflow-postgres-watchdog')).filter((p) =>
      p.cmdline.split(' ').includes(String(orphan)),
    )
    expect(dogs).toHaveLength(1)
    for (const p of dogs) process.kill(p.pid, 'SIGKILL')
    app.kill('SIGKILL')
    await new Promise((r) => app.on('exit', r))
    expect(alive(orphan)).toBe(true)

    const progress: string[] = []
    const server = await start({ dataDir, onProgress: (m) => progress.push(m) })
    expect(progress.some((m) => m.includes(`left running on this cluster (pid ${orphan}`))).toBe(true)
    // Stopped: it may still wait as a zombie for init to reap it, which kill(pid, 0) counts alive.
    expect(await isProcessAlive(orphan)).toBe(false)
    expect(await query(server.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }])
    await server.stop()
  })

  it("leaves another cluster's server alone when its pid is in our stale postmaster.pid", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'tickflow-embedded-other-'))
    teardown.add(() => fs.rmSync(other, { recursive: true, force: true }))
    fs.chmodSync(other, 0o755)
    // Only needs to be another cluster's server: no fsync spares its initdb a few writes to disk.
    const foreign = await start({ dataDir: other, fast: true })
    const pid = postmasterPid(other)
    const file = path.join(dataDir, 'postgres', 'postmaster.pid')
    fs.writeFileSync(file, `${pid}\n${path.join(dataDir, 'postgres')}\n1\n5432\n\n127.0.0.1\n`)
    const progress: string[] = []
    const server = await start({ dataDir, onProgress: (m) => progress.push(m) })
    expect(progress.some((m) => m.includes('stale postmaster.pid'))).toBe(true)
    expect(alive(pid)).toBe(true) // a postgres, but not of this cluster: not ours to stop
    expect(await query(foreign.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
    await server.stop()
  })

  it('reports a configured port that is taken, and leaves nothing running', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    teardown.add(() => void blocker.close())
    const port = (blocker.address() as net.AddressInfo).port
    await expect(start({ dataDir, port })).rejects.toThrow(
      /exited during start .*(could not bind|Address already in use)/,
    )
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false)
  })
})
