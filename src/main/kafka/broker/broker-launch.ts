// Shared by the attached (local-broker.ts) and detached (detached-broker.ts) brokers: everything up
// to spawning kafka.Kafka, and the readiness poll after it.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { writeFileAtomic } from '../../base/atomic-file'
import {
  DEFAULT_HEAP_MB,
  jvmArgs,
  type JvmArgsInput,
  newClusterId,
  parseMetaProperties,
  renderServerProperties,
} from './broker-config'
import { resolveBrokerClasspath } from '../jars/classpath'
import { createKafka } from '../client'
import { writeBrokerState } from './broker-state'
import { brokerDirs, kafkaResourcesDir, type BrokerDirs } from './paths'
import { checkJava } from '../jars/prereqs'
import {
  ensurePassword,
  MANAGED_KAFKA_MECHANISM,
  MANAGED_USER,
  managedSasl,
  passwordFileOf,
  type ManagedSasl,
} from './credentials'
import { scramUpsertion, upsertScramCredential } from './scram-upsert'
import { defaultCacheDir } from '../../base/data-dirs'
import { classArchive, type ClassArchive } from './class-archive'

export interface LaunchOptions {
  dataDir: string
  /** undefined: 9092 if free, else any free port. 0: any free port. Otherwise exactly this port. */
  port?: number
  heapMb?: number
  startTimeoutMs?: number
  onProgress?: (msg: string) => void
  resourcesDir?: string
  cacheDir?: string
  /** server.properties settings beyond the template's (tests shorten intervals with these) */
  overrides?: Record<string, string>
  /** Exactly this controller port; default any free one. A cluster's voters know each other's. */
  controllerPort?: number
  /** The cluster id to format new storage with; default a new one. A cluster's nodes share one. */
  clusterId?: string
  /** The managed user's password; default the one in <dataDir>/kafka.password. A cluster's nodes share one. */
  password?: string
  /** Every controller's port, where storage formatted without SCRAM gets its credential; default this node's. */
  controllerPorts?: number[]
  /** Test seam: format new storage without the SCRAM credential, as Tickflow did before issue 15. */
  formatWithoutScram?: boolean
  /** Dump a class archive when there is none (class-archive.ts): a start whose exit we see. */
  dumpClassArchive?: boolean
}

export interface PreparedBroker {
  java: string
  dirs: BrokerDirs
  port: number
  controllerPort: number
  bootstrap: string
  /** The client port was picked by us, so a lost bind race may be retried with a new one. */
  autoPorts: boolean
  /** The controller port was picked by us, even beside a port the user named. */
  autoControllerPort: boolean
  args: string[]
  /** this data dir's cluster id (meta.properties); undefined if unreadable */
  clusterId?: string
  /** what every client of this broker authenticates with */
  sasl: ManagedSasl
  /**
   * The storage predates SCRAM (issue 15) and may lack the credential: only then does a refused
   * login make the readiness poll add it, so a program that took a port cannot provoke the
   * controller login that this takes.
   */
  mayLackScram: boolean
  controllerPorts: number[]
  onProgress: (msg: string) => void
  /** the class archive this start maps or dumps; settle() it once the JVM has exited */
  classArchive: ClassArchive
}

export const DEFAULT_PORT = 9092

/**
 * JVM flags that shorten a single-node broker's start, each measured against the start without it
 * (bench/README.md, "The managed broker's start"): C1 only (no C2 compiler) cut the start's CPU by
 * ~45 %, and the broker's CPU per record was no higher over runs of 400k records. A serial GC and a
 * smaller thread stack gained nothing and are not used.
 */
const FAST_START = ['-XX:TieredStopAtLevel=1']

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port: 0, host, exclusive: true }, () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))))
    })
  })
}

/**
 * The options for another start after `err`, or undefined to give up. A port we picked can be taken
 * between our check and the JVM's bind; then we pick again. A port the user named is kept: if that
 * one was lost, the next start says so in words ("port N is already in use").
 */
export function retryAfterBindFailure(
  prep: Pick<PreparedBroker, 'autoPorts' | 'autoControllerPort'>,
  launch: LaunchOptions,
  err: unknown,
  attempt: number,
  maxAttempts = 3,
): LaunchOptions | undefined {
  const bind = (err as { bindFailure?: boolean } | null)?.bindFailure === true
  if (!bind || attempt >= maxAttempts || !(prep.autoPorts || prep.autoControllerPort)) return undefined
  return prep.autoPorts ? { ...launch, port: 0 } : launch
}

async function choosePorts(
  requested?: number,
  requestedController?: number,
): Promise<{ port: number; controllerPort: number; auto: boolean; autoController: boolean }> {
  let port: number
  if (requested === undefined) port = (await isPortFree(DEFAULT_PORT)) ? DEFAULT_PORT : await freePort()
  else if (requested === 0) port = await freePort()
  else if (await isPortFree(requested)) port = requested
  else
    throw new Error(`port ${requested} is already in use: pick another with --port, or 0 for any free port`)
  if (requestedController !== undefined) {
    if (requestedController === port || !(await isPortFree(requestedController)))
      throw new Error(`controller port ${requestedController} is already in use`)
    return { port, controllerPort: requestedController, auto: false, autoController: false }
  }
  let controllerPort = await freePort()
  while (controllerPort === port) controllerPort = await freePort()
  return { port, controllerPort, auto: requested === undefined || requested === 0, autoController: true }
}

function runJava(java: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(java, args, { timeout: 120_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, output: `${stdout}${stderr}` })
    })
  })
}

/** Resolves jars, renders server.properties and formats the storage on first use. */
export async function prepareBroker(opts: LaunchOptions): Promise<PreparedBroker> {
  const progress = opts.onProgress ?? ((): void => {})
  const { command: java, version: javaVersion } = await checkJava()
  const resourcesDir = opts.resourcesDir ?? kafkaResourcesDir()
  const { classpath, jars } = await resolveBrokerClasspath({
    resourcesDir,
    cacheDir: opts.cacheDir,
    onProgress: progress,
  })
  const dirs = brokerDirs(opts.dataDir)
  await mkdir(dirs.logDirs, { recursive: true })
  await mkdir(dirs.logs, { recursive: true })

  const { port, controllerPort, auto, autoController } = await choosePorts(opts.port, opts.controllerPort)
  const password = opts.password ?? (await ensurePassword(passwordFileOf(opts.dataDir)))
  const template = await readFile(join(resourcesDir, 'server.properties.template'), 'utf8')
  // Mode 600: it holds the password (the JAAS lines).
  await writeFileAtomic(
    dirs.properties,
    renderServerProperties(template, {
      brokerPort: port,
      controllerPort,
      logDirs: dirs.logDirs,
      password,
      overrides: opts.overrides,
    }),
  )

  const base = {
    heapMb: opts.heapMb ?? DEFAULT_HEAP_MB,
    logsDir: dirs.logs,
    log4jConfig: join(resourcesDir, 'log4j2.xml'),
    classpath,
  }
  if (!existsSync(join(dirs.logDirs, 'meta.properties'))) {
    progress(`Formatting Kafka storage in ${dirs.logDirs}`)
    await formatStorage(java, base, dirs, {
      clusterId: opts.clusterId ?? newClusterId(),
      password: opts.formatWithoutScram ? undefined : password,
    })
    if (!opts.formatWithoutScram) await markScram(dirs)
  }
  // Beside the jars it was made from: one archive serves every data dir.
  const archive = await classArchive({
    cacheDir: opts.cacheDir ?? defaultCacheDir(),
    java,
    javaVersion,
    jars,
    dump: opts.dumpClassArchive === true,
  })
  const args = [
    ...archive.flags,
    ...FAST_START,
    ...jvmArgs({ ...base, mainClass: 'kafka.Kafka', args: [dirs.properties] }),
  ]
  const meta = await readFile(join(dirs.logDirs, 'meta.properties'), 'utf8').catch(() => '')
  const { clusterId } = parseMetaProperties(meta)
  return {
    java,
    dirs,
    port,
    controllerPort,
    bootstrap: `127.0.0.1:${port}`,
    autoPorts: auto,
    autoControllerPort: autoController,
    args,
    clusterId,
    sasl: managedSasl(password),
    mayLackScram: !existsSync(dirs.scramMarker),
    controllerPorts: opts.controllerPorts ?? [controllerPort],
    onProgress: progress,
    classArchive: archive,
  }
}

/**
 * Formats new storage (StorageTool calls System.exit, hence its own JVM; static voters: no
 * --standalone) with the managed user's SCRAM credential, or without any when `password` is
 * undefined (as Tickflow did before issue 15: the tests make such a dir to upgrade). The arguments
 * go in an argfile of mode 600, as the password would be readable in a command line by every user.
 */
async function formatStorage(
  java: string,
  base: Omit<JvmArgsInput, 'mainClass' | 'args'>,
  dirs: BrokerDirs,
  opts: { clusterId: string; password?: string },
): Promise<void> {
  const args = ['format', '-t', opts.clusterId, '-c', dirs.properties, '--ignore-formatted']
  if (opts.password !== undefined)
    args.push('--add-scram', `${MANAGED_KAFKA_MECHANISM}=[name=${MANAGED_USER},password=${opts.password}]`)
  // One name, under the start lock: a file that a killed run left (it holds the password) is
  // replaced and removed by the next format, which that run's unformatted storage still needs.
  const argfile = join(dirs.root, '.format-args')
  await writeFileAtomic(
    argfile,
    [...FAST_START, ...jvmArgs({ ...base, mainClass: 'kafka.tools.StorageTool', args })]
      .map(argfileQuote)
      .join('\n'),
  )
  try {
    const res = await runJava(java, [`@${argfile}`])
    if (res.code !== 0) {
      const last = res.output.trim().split('\n').slice(-5).join(' | ')
      throw new Error(`Kafka storage format failed (exit ${res.code}): ${last}`)
    }
  } finally {
    await rm(argfile, { force: true })
  }
}

/** One argument of a java @argfile: quoted, with its backslashes and quotes escaped. */
export function argfileQuote(arg: string): string {
  return `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/** The last lines of server.log (and whatever else the caller captured), for error messages. */
export async function brokerLogTail(dirs: BrokerDirs, lines = 20): Promise<string[]> {
  try {
    const fh = await open(join(dirs.logs, 'server.log'), 'r')
    try {
      const { size } = await fh.stat()
      const len = Math.min(size, 32 * 1024)
      const buf = Buffer.alloc(len)
      await fh.read(buf, 0, len, size - len)
      return buf.toString('utf8').split('\n').filter(Boolean).slice(-lines)
    } finally {
      await fh.close()
    }
  } catch {
    return []
  }
}

/** The line most likely to explain a failed start: the last ERROR/exception line, if any. */
export function startFailureReason(lines: string[]): string | undefined {
  const hit = [...lines].reverse().find((l) => / (ERROR|FATAL) |Exception|Error:/.test(l))
  return hit?.replace(/^\[[^\]]*\]\s*/, '').slice(0, 300)
}

export function isBindFailure(lines: string[]): boolean {
  return lines.some((l) => /BindException|Address already in use/.test(l))
}

/**
 * Polls until the broker answers a metadata request, as this data dir's cluster: another broker
 * that took the port between our check and the JVM's bind does not count. Rejects early when
 * `exited()` reports the JVM died, and after the timeout; the message starts with a one-line reason
 * and then shows the log tail.
 */
export async function waitForBroker(
  prep: PreparedBroker,
  exited: () => boolean,
  timeoutMs: number,
  extraLines: () => string[] = () => [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const kafka = createKafka(
    { brokers: [prep.bootstrap], clientId: 'tickflow-readiness', sasl: prep.sasl },
    // Refusals are expected while the broker starts: they are not the app log's errors.
    { connectionTimeoutMs: 1000, retry: { retries: 0 }, appLog: false },
  )
  let upgraded = false
  for (;;) {
    if (exited()) break
    const admin = kafka.admin()
    try {
      await admin.connect()
      const cluster = await admin.describeCluster()
      const ours = prep.clusterId === undefined || cluster.clusterId === prep.clusterId
      if (ours && cluster.brokers.length > 0) {
        if (prep.mayLackScram) await markScram(prep.dirs)
        return
      }
    } catch (err) {
      // Up, but our password is refused: storage formatted before the broker had one gets it now.
      if (prep.mayLackScram && !upgraded && isSaslRefusal(err)) upgraded = await addScramCredential(prep)
      // Else not up yet; ask again. Past the deadline, the broker's log tail says why, not this refusal.
    } finally {
      // A poll's client; a failed disconnect loses nothing the next poll needs.
      await admin.disconnect().catch(() => {})
    }
    if (Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 250))
  }
  await new Promise((r) => setTimeout(r, exited() ? 200 : 0)) // let log4j flush the fatal error
  const tail = [...(await brokerLogTail(prep.dirs)), ...extraLines()]
  const why = exited() ? 'exited during startup' : `did not answer within ${Math.round(timeoutMs / 1000)} s`
  const reason = startFailureReason(tail)
  const err = new Error(
    `Kafka broker on ${prep.bootstrap} ${why}${reason ? `: ${reason}` : ''} (log: ${join(prep.dirs.logs, 'server.log')})` +
      (tail.length ? `\n${tail.join('\n')}` : ''),
  )
  ;(err as Error & { bindFailure?: boolean }).bindFailure = isBindFailure(tail)
  throw err
}

async function markScram(dirs: BrokerDirs): Promise<void> {
  await writeFileAtomic(dirs.scramMarker, `${MANAGED_KAFKA_MECHANISM} user ${MANAGED_USER}\n`)
}

function isSaslRefusal(err: unknown): boolean {
  for (let e = err as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'KafkaJSSASLAuthenticationError') return true
  }
  return false
}

/**
 * Gives the managed user its SCRAM credential through whichever controller is active. Resolves
 * false when none took it yet (no quorum), so the next poll tries again.
 */
async function addScramCredential(prep: PreparedBroker): Promise<boolean> {
  const upsertion = await scramUpsertion(MANAGED_USER, prep.sasl.password, MANAGED_KAFKA_MECHANISM)
  for (const port of prep.controllerPorts) {
    const login = { host: '127.0.0.1', port, username: MANAGED_USER, password: prep.sasl.password }
    try {
      if (await upsertScramCredential(login, upsertion)) {
        prep.onProgress(`Kafka storage in ${prep.dirs.logDirs} had no SCRAM credential: added one`)
        return true
      }
    } catch {
      // That controller is not up yet, or not the leader; the next one, or the next poll.
    }
  }
  return false
}

/** Records a started broker so `npm run kafka -- status` and a second start can see it. */
export async function recordBrokerState(prep: PreparedBroker, pid: number): Promise<void> {
  await writeBrokerState(prep.dirs.state, {
    pid,
    port: prep.port,
    controllerPort: prep.controllerPort,
    bootstrap: prep.bootstrap,
    propertiesPath: prep.dirs.properties,
    startedAt: new Date().toISOString(),
  })
}
