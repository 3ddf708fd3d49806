import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BroadcastChannel,
  getEnvironmentData,
  isMainThread,
  setEnvironmentData,
  threadId,
} from 'node:worker_threads'
import { pino, type DestinationStream, type Logger } from 'pino'
import pinoRoll from 'pino-roll'
import type SonicBoom from 'sonic-boom'
import type { LogLevel } from './levels'
import { redactText, redactValue, setSecretSource } from './redact'

/**
 * A pino logger whose output is masked twice: the fields (secret-named keys, strings, errors) before
 * they are serialised, then the whole line, which also covers the message and child bindings.
 */
export function createLogger(
  dest: DestinationStream,
  level: LogLevel | 'silent',
  secrets: readonly string[] = [],
): Logger {
  const masked: DestinationStream = {
    write: (line) => {
      try {
        dest.write(redactText(line, secrets))
      } catch {
        // A closed or failing file loses this line: logging must never take the app down with it.
      }
    },
  }
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // redactValue has already turned errors into plain objects; pino's serializer would retype them.
      serializers: { err: (e: unknown) => e },
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactValue(fields, secrets) as Record<string, unknown>,
      },
    },
    masked,
  )
}

interface Root {
  logger: Logger
  level: LogLevel | 'silent'
  secrets: readonly string[]
}

const SILENT: Root = { logger: pino({ level: 'silent' }), level: 'silent', secrets: [] }
// How a worker thread (the consumer's) learns the level and secrets, and sends its lines to the
// main thread, which alone writes the files: two writers would fight over rotation.
const ENV_KEY = 'tickflow.log'
const CHANNEL = 'tickflow.log.lines'

let root: Root | null = null
let children = new Map<string, Logger>()

function current(): Root {
  root ??= (isMainThread ? null : threadRoot()) ?? SILENT
  return root
}
// maskSecrets (redact.ts) masks what the open log knows, in a worker thread too.
setSecretSource(() => current().secrets)

function threadRoot(): Root | null {
  const env = getEnvironmentData(ENV_KEY) as { level: LogLevel; secrets: string[] } | undefined
  if (!env) return null
  const channel = new BroadcastChannel(CHANNEL)
  unref(channel) // a thread with nothing else to do must still end
  const logger = createLogger({ write: (line) => channel.postMessage(line) }, env.level, env.secrets).child({
    thread: threadId,
  })
  return { logger, level: env.level, secrets: env.secrets }
}

function unref(channel: BroadcastChannel): void {
  ;(channel as BroadcastChannel & { unref(): void }).unref()
}

/** The logger of one part of Tickflow ('pipeline', 'kafkajs', …). Silent until openLog. Ask at use time. */
export function appLog(component: string): Logger {
  let child = children.get(component)
  if (!child) {
    child = current().logger.child({ component })
    children.set(component, child)
  }
  return child
}

/** What an emitter does with a listener that threw: logs it under `component`, naming the event. */
export function logListenerError(component: string, event: string): (err: unknown) => void {
  return (err) => appLog(component).error({ err }, `a ${event} listener threw`)
}

/** The level logs are kept at; 'silent' when no log is open. */
export function appLogLevel(): LogLevel | 'silent' {
  return current().level
}

export interface LogOptions {
  /** <data dir>/logs */
  dir: string
  /** file name stem: pipeline → pipeline.1.log, pipeline.2.log, … */
  name: string
  level: LogLevel
  secrets?: readonly string[]
  /** a file rolls over once this big; default 10 MiB */
  maxFileBytes?: number
  /** files kept, the current one included; default 5 */
  maxFiles?: number
}

/**
 * Deletes all but the newest `keep` files of a log (stem.N.log). pino-roll does the same after each
 * roll, but in the background; this makes the bound hold at open and at close too.
 */
export async function pruneLogs(dir: string, name: string, keep: number): Promise<void> {
  const numberOf = (file: string): number => {
    const m = /^(.+)\.(\d+)\.log$/.exec(file)
    return m?.[1] === name ? Number(m[2]) : NaN
  }
  const files = (await readdir(dir))
    .map((f) => ({ f, n: numberOf(f) }))
    .filter((x) => Number.isInteger(x.n))
    .sort((a, b) => a.n - b.n)
  const old = files.slice(0, Math.max(0, files.length - keep))
  await Promise.all(old.map((x) => rm(join(dir, x.f), { force: true })))
}

export interface LogHandle {
  /** Flushes and closes the file; the app's logger is silent again. Never rejects. */
  close(): Promise<void>
}

/** Opens the process's log file and makes it the target of appLog, here and in worker threads. */
export async function openLog(opts: LogOptions): Promise<LogHandle> {
  await mkdir(opts.dir, { recursive: true })
  const keep = opts.maxFiles ?? 5
  await pruneLogs(opts.dir, opts.name, keep)
  const secrets = opts.secrets ?? []
  const stream = await pinoRoll({
    file: join(opts.dir, opts.name),
    extension: '.log',
    size: `${opts.maxFileBytes ?? 10 * 1024 * 1024}b`,
    limit: { count: keep, removeOtherLogFiles: true },
    // Synchronous writes: a run that ends with process.exit (every CLI face does) loses no line.
    sync: true,
  })
  let reported = false
  const report = (err: Error): void => {
    if (!reported) console.error(`tickflow: writing the log in ${opts.dir} failed: ${err.message}`)
    reported = true
  }
  stream.on('error', report)
  const channel = new BroadcastChannel(CHANNEL)
  channel.onmessage = (e) => stream.write(redactText(String(e.data), secrets))
  unref(channel)
  setEnvironmentData(ENV_KEY, { level: opts.level, secrets: [...secrets] })
  root = { logger: createLogger(stream, opts.level, secrets), level: opts.level, secrets }
  children = new Map()

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    root = SILENT
    children = new Map()
    setEnvironmentData(ENV_KEY, undefined)
    channel.close()
    await endStream(stream, report)
    // The log is closed, so there is nowhere to say it: old files stay until the next open prunes them.
    await pruneLogs(opts.dir, opts.name, keep).catch(() => undefined)
  }
  return { close: () => (closing ??= close()) }
}

/**
 * Flushes and closes a log stream, and never rejects: a run's outcome must not be replaced by its
 * log's. A stream a write or roll error destroyed is closed already (its 'close' may be past, and
 * end() would throw); a failure while ending is reported once through `report`.
 */
export function endStream(stream: SonicBoom, report: (err: Error) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    // sonic-boom's types leave out `destroyed`, which it sets as it closes
    if ((stream as SonicBoom & { destroyed?: boolean }).destroyed) return resolve()
    stream.once('close', () => resolve())
    // A write failing while the rest is flushed: 'close' would never come, so let the file go.
    stream.once('error', () => {
      try {
        stream.destroy()
      } catch {
        // The error that brought us here reaches the stream's 'error' listener; a failed destroy
        // on top of it loses nothing more.
      }
      resolve()
    })
    try {
      stream.end()
    } catch (err) {
      report(err as Error)
      resolve()
    }
  })
}
