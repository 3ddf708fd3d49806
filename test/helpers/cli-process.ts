import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { brokerLogTail, freePort, isBindFailure } from '../../src/main/kafka/broker/broker-launch'
import { brokerDirs } from '../../src/main/kafka/broker/paths'
import { waitFor } from './harness'
import { kafkaSaslEnv } from './test-kafka'

/** `npm run pipeline` as a child process, with what it has printed so far. */
export interface CliProcess {
  child: ChildProcess
  out: { stdout: string; stderr: string }
  /** Settles once the process is gone and its output is all read, so `out` is complete then. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  running(): boolean
  /** The `rows N` of its latest status line: what its writer has committed so far (0 before). */
  rows(): number
  lastLine(): string
  /** To the whole group when detached, as a terminal's Ctrl-C reaches it; else to the CLI alone. */
  kill(signal?: NodeJS.Signals): void
}

const started: CliProcess[] = []

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv
  detached?: boolean
}

/**
 * Starts the CLI with the test's flags only: the services and token of the developer's shell are
 * blanked, so a run never reaches a broker, database or Finnhub account the test did not name. It
 * carries the run broker's user (KAFKA_SASL_*), which `--brokers` of that broker needs.
 * `detached` gives it a process group of its own, for tests that signal it as a terminal would.
 */
export function spawnCli(args: string[], opts: SpawnOptions = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], {
    detached: opts.detached ?? false,
    env: {
      ...process.env,
      ...{ DATABASE_URL: '', KAFKA_BROKERS: '', FINNHUB_TOKEN: '', ...kafkaSaslEnv(), ...opts.env },
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()))
  // 'close', not 'exit': 'exit' can come before the last status line is read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  const run: CliProcess = {
    child,
    out,
    exited,
    running,
    rows: () => Number([...out.stdout.matchAll(/ · rows (\d+) · /g)].at(-1)?.[1] ?? 0),
    lastLine: () => out.stdout.trim().split('\n').at(-1) ?? '',
    kill(signal = 'SIGKILL') {
      if (!running()) return
      if (opts.detached) process.kill(-child.pid!, signal)
      else child.kill(signal)
    },
  }
  started.push(run)
  return run
}

/** For afterEach: a failed test must not leave a CLI (or, when detached, its group) running. */
export async function killCliProcesses(): Promise<void> {
  for (const run of started.splice(0)) {
    try {
      run.kill('SIGKILL')
    } catch {
      // it exited between the check and the kill (ESRCH); the others must still go
    }
    await run.exited
  }
}

/** Its status lines (stdout holds nothing else once it runs). */
export function statusLines(cli: CliProcess): string[] {
  return cli.out.stdout.split('\n').filter((l) => / · lag \S+ · /.test(l))
}

const field = (line: string, re: RegExp): number | undefined => {
  const m = re.exec(line)
  return m ? Number(m[1]) : undefined
}

export interface SettleOptions {
  /**
   * What the run must reach, where the test knows it (the simulator's sent trades); read on every
   * look, as a frame under way may still leave the simulator just after setRate(0).
   */
  expected?: () => number
  /**
   * The stored count, where the status line's `rows` is not it: the rows of other writers, or a
   * batch whose commit was done but whose answer was cut off (its retry counts only duplicates).
   * Default: `rows` (a --role ingest's `produced`) of the status line.
   */
  count?: () => Promise<number>
  /** safety caps, not timing assertions */
  timeoutMs?: number
  exitTimeoutMs?: number
}

/**
 * Ends a fault test's run once its work is done, instead of idling until --duration: call it once
 * the feed has stopped. Waits for two status lines in a row (one every 3 s) that show nothing
 * received, `lag 0` (a writer's) and the same count, equal to `expected` where given; then sends
 * SIGTERM (the same drain as --duration's) and waits for the exit. A CLI that ends or begins to
 * drain before that fails the wait: its --duration is only a cap for a hung run.
 */
export async function stopWhenSettled(
  cli: CliProcess,
  opts: SettleOptions = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const from = statusLines(cli).length // earlier lines may predate the feed's stop
  const seen: { line: string; count: number | undefined }[] = []
  const settledAt = (): boolean => {
    const [a, b] = seen.slice(-2)
    if (!a || !b || a.count === undefined || a.count !== b.count) return false
    if (opts.expected && b.count !== opts.expected()) return false
    return [a, b].every(
      ({ line }) =>
        / · running \(/.test(line) &&
        (field(line, / · recv (\d+)\/s · /) ?? 0) === 0 &&
        (!/ · rows \d+/.test(line) || / · lag 0 · /.test(line)),
    )
  }
  const last = await waitFor(
    'the run to settle (nothing received, lag 0, its count still)',
    async () => {
      const over = !cli.running() || /: draining what is in flight/.test(cli.out.stderr)
      for (const line of statusLines(cli).slice(from + seen.length)) {
        const count = opts.count
          ? await opts.count()
          : (field(line, / · rows (\d+)/) ?? field(line, / · produced (\d+)/))
        seen.push({ line, count })
      }
      return { over, settled: settledAt(), expected: opts.expected?.(), last: seen.slice(-2) }
    },
    (v) => v.over || v.settled,
    opts.timeoutMs ?? 120_000,
  )
  if (!last.settled)
    throw new Error(`the CLI ended or began to drain before it settled; stderr:\n${cli.out.stderr}`)
  cli.kill('SIGTERM')
  const exitMs = opts.exitTimeoutMs ?? 120_000
  const exit = await Promise.race([cli.exited, sleep(exitMs, null)])
  if (!exit)
    throw new Error(`the CLI did not exit within ${exitMs / 1000} s of SIGTERM; stderr:\n${cli.out.stderr}`)
  return exit
}

/**
 * The CLI with its own broker on a port the test picked (`args(port)` names it with --kafka-port:
 * never a developer's 9092). A port is free only when we look: another process may bind it before
 * the broker does, and a start on a named port does not retry (it is the user's choice). So a start
 * that fails on a taken port is tried again, on a fresh port; `port` is the first one to try (a
 * restart on the port of an earlier run), else a free one. Resolves once the run prints its first
 * status line, or has failed for another reason (the test's own checks then say why).
 */
export async function spawnCliOnPort(
  args: (port: number) => string[],
  opts: SpawnOptions & { port?: number; attempts?: number } = {},
): Promise<{ cli: CliProcess; port: number }> {
  const attempts = opts.attempts ?? 3
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && opts.port !== undefined ? opts.port : await freePort()
    const argv = args(port)
    const cli = spawnCli(argv, opts)
    const v = await waitFor(
      'the CLI to start or fail',
      () => ({ code: cli.child.exitCode, up: statusLines(cli).length > 0 }),
      (s) => s.code !== null || s.up,
      180_000,
    )
    if (v.up || v.code === 0 || attempt >= attempts) return { cli, port }
    await cli.exited
    // The one-line reason may not name the bind; the broker's log does.
    const at = argv.indexOf('--data-dir')
    const lost =
      /port \d+ is already in use|BindException|Address already in use/.test(cli.out.stderr) ||
      (at >= 0 && isBindFailure(await brokerLogTail(brokerDirs(argv[at + 1]!), 200)))
    if (!lost) return { cli, port }
    console.log(`[spawnCliOnPort] port ${port} was taken (attempt ${attempt}); trying a fresh one`)
  }
}

/**
 * Polls `probe` until it gives a value (not undefined or null) while the CLI runs and has not
 * begun to drain: a CLI that exits, or reaches --duration, before the test is done with it fails
 * the wait at once, with its stderr.
 */
export async function whileRunning<T>(
  cli: CliProcess,
  what: string,
  probe: () => Promise<T | undefined | null> | T | undefined | null,
  timeoutMs = 120_000,
): Promise<T> {
  const seen = await waitFor(
    what,
    async () => {
      const over = !cli.running() || /: draining what is in flight/.test(cli.out.stderr)
      return { over, value: over ? undefined : await probe() }
    },
    (v) => v.over || v.value != null,
    timeoutMs,
  ).catch((err: Error) => {
    // what the CLI last said is what tells a slow step from a wrong one
    const tail = cli.out.stderr.trim().split('\n').slice(-15).join('\n')
    throw new Error(`${err.message}; the CLI's last lines:\n${tail}`, { cause: err })
  })
  if (seen.over) throw new Error(`the CLI ended or began to drain before ${what}; stderr:\n${cli.out.stderr}`)
  return seen.value as T
}

/** Its alerts as a terminal shows them ("error: …", "info: …"), without the progress lines. */
export function alertLines(cli: CliProcess): string[] {
  return cli.out.stderr.split('\n').filter((l) => /^(info|warn|error|cleared): /.test(l))
}
