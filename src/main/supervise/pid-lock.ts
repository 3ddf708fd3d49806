// A lock file that names its holder by pid and start time, so that a holder killed with SIGKILL
// (which cannot clean up) leaves a lock the next run recognises as stale and takes over, while a
// live holder, even one whose pid a crashed run also used, keeps it.
import { open, readFile, rm } from 'node:fs/promises'
import { isProcessAlive, processStartTime } from '../base/process-info'

export interface LockHolder {
  pid: number
  /** clock ticks after boot (Linux); absent where it cannot be read, or in a lock of older runs */
  startedAt?: number
}

export function formatLock(h: LockHolder): string {
  return h.startedAt === undefined ? String(h.pid) : `${h.pid} ${h.startedAt}`
}

/** "pid" (older runs) or "pid starttime"; anything else reads as no holder. */
export function parseLock(text: string): LockHolder | undefined {
  const m = /^\s*(\d+)(?:\s+(\d+))?\s*$/.exec(text)
  if (!m) return undefined
  const pid = Number(m[1])
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  return m[2] === undefined ? { pid } : { pid, startedAt: Number(m[2]) }
}

/**
 * Whether a lock's holder still holds it, from what is known of its pid now. A dead pid is stale;
 * so is a live pid that started at another time than the holder did (the pid was reused). Without
 * both start times, a live pid is taken for the holder: a wrongly kept lock is an error the user
 * can read, a wrongly taken one is two brokers on one metadata log.
 */
export function holderStillHolds(h: LockHolder, now: { alive: boolean; startedAt?: number }): boolean {
  if (!now.alive) return false
  if (h.startedAt !== undefined && now.startedAt !== undefined) return h.startedAt === now.startedAt
  return true
}

export async function lockHolderAlive(h: LockHolder): Promise<boolean> {
  const alive = await isProcessAlive(h.pid)
  return holderStillHolds(h, { alive, startedAt: alive ? await processStartTime(h.pid) : undefined })
}

export async function currentHolder(): Promise<LockHolder> {
  return { pid: process.pid, startedAt: await processStartTime(process.pid) }
}

/**
 * Takes the lock at `path` or throws, in words, naming who holds it (`what` says what the lock
 * guards). A stale lock is removed first, but only if it still names the same dead holder when we
 * remove it: a racing starter may have taken it over in between. Returns the release function.
 */
export async function acquirePidLock(path: string, what: string): Promise<() => Promise<void>> {
  const me = formatLock(await currentHolder())
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx')
      try {
        await fh.writeFile(me)
      } catch (err) {
        // A full disk: leave no open handle and no empty lock behind for the next attempt.
        // The write's error is the one thrown; a close that fails too loses nothing more.
        await fh.close().catch(() => undefined)
        await rm(path, { force: true })
        throw err
      }
      await fh.close()
      return async () => {
        // Only our own lock: never one a later run took over.
        if ((await readFile(path, 'utf8').catch(() => null)) === me) await rm(path, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 1) throw err
      const text = await readFile(path, 'utf8').catch(() => '')
      const holder = parseLock(text)
      if (holder && (await lockHolderAlive(holder))) {
        const who = holder.pid === process.pid ? 'this process' : `another process (pid ${holder.pid})`
        throw new Error(`${who} ${what}: ${path}`, { cause: err })
      }
      if ((await readFile(path, 'utf8').catch(() => null)) === text) await rm(path, { force: true })
    }
  }
}
