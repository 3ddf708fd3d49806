import { spawn, type ChildProcess } from 'node:child_process'
import { waitFor } from './harness'

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

/**
 * Starts the CLI with the test's flags only: the services and token of the developer's shell are
 * blanked, so a run never reaches a broker, database or Finnhub account the test did not name.
 * `detached` gives it a process group of its own, for tests that signal it as a terminal would.
 */
export function spawnCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; detached?: boolean } = {},
): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], {
    detached: opts.detached ?? false,
    env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '', FINNHUB_TOKEN: '', ...opts.env },
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
    run.kill('SIGKILL')
    await run.exited
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
  )
  if (seen.over) throw new Error(`the CLI ended or began to drain before ${what}; stderr:\n${cli.out.stderr}`)
  return seen.value as T
}

/** Its alerts as a terminal shows them ("error: …", "info: …"), without the progress lines. */
export function alertLines(cli: CliProcess): string[] {
  return cli.out.stderr.split('\n').filter((l) => /^(info|warn|error|cleared): /.test(l))
}
