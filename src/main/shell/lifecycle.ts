import { app, type BrowserWindow } from 'electron'
import { settlesWithin } from '../base/time-limit'

/**
 * How long quitting may take: the pipeline drains what is in flight (bounded by its own limits),
 * then the managed broker and embedded PostgreSQL stop. Past this the app goes anyway, and says so.
 */
export const QUIT_LIMIT_MS = 60_000

export type DrainOutcome = { kind: 'done' } | { kind: 'failed'; reason: string } | { kind: 'timed out' }

/** Runs the quit work for at most `limitMs`. The work is not cancelled; the caller just stops waiting. */
export async function drainWithin(work: () => Promise<void>, limitMs: number): Promise<DrainOutcome> {
  let failure: string | null = null
  // started at once; a throw before its first await counts as a failure too
  const run = new Promise<void>((resolve) => resolve(work())).catch((err: unknown) => {
    failure = err instanceof Error ? err.message : String(err)
  })
  if (!(await settlesWithin(run, limitMs))) return { kind: 'timed out' }
  return failure === null ? { kind: 'done' } : { kind: 'failed', reason: failure }
}

/** The sentence the user sees when quitting did not go cleanly; null when it did. */
export function drainMessage(outcome: DrainOutcome, limitMs: number): string | null {
  const left = 'The Kafka broker or PostgreSQL that Tickflow started may still be running.'
  if (outcome.kind === 'done') return null
  if (outcome.kind === 'failed') return `Stopping failed: ${outcome.reason}. ${left}`
  return `Stopping took longer than ${Math.round(limitMs / 1000)} s, so Tickflow quit without waiting. ${left}`
}

export interface QuitOptions {
  /** drains the pipeline and stops the services; awaited before the app may go */
  work: () => Promise<void>
  /** tells the user what went wrong (a dialog); called before the app goes */
  report: (message: string) => void
  limitMs?: number
}

/**
 * Every way out (the last window closed, the menu, Ctrl-C or SIGTERM in a terminal) goes through
 * before-quit: the first one is held until the work is done or the limit runs out, then the app
 * quits for real. Asking again meanwhile changes nothing: the limit already bounds the wait.
 */
export function drainOnQuit(opts: QuitOptions): void {
  const limitMs = opts.limitMs ?? QUIT_LIMIT_MS
  let phase: 'running' | 'draining' | 'drained' = 'running'
  app.on('before-quit', (event) => {
    if (phase === 'drained') return
    event.preventDefault()
    if (phase === 'draining') return
    phase = 'draining'
    void drainWithin(opts.work, limitMs).then((outcome) => {
      const message = drainMessage(outcome, limitMs)
      if (message) opts.report(message)
      phase = 'drained'
      app.quit()
    })
  })
  app.on('window-all-closed', () => app.quit())
  // Electron leaves signals to Node, which would exit at once and orphan the broker and database.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())
}

/**
 * One Tickflow per user: a second one would fight the first over the data dir's broker and
 * database. Returns false in the second instance, which should exit; the first gets `focus`.
 */
export function claimSingleInstance(focus: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false
  app.on('second-instance', () => focus())
  return true
}

/** Brings the window to the front, out of the taskbar if it was minimised. */
export function focusWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
