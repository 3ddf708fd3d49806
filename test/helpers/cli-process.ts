import { spawn, type ChildProcess } from 'node:child_process'

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
