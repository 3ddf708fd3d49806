import { readFile, realpath, statfs } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes } from '../../shared/storage'

/**
 * Telling a full disk under PostgreSQL from other write failures, and naming that disk.
 *
 * What a full disk does to PostgreSQL (18, measured on a tmpfs, test/full-disk.int.test.ts):
 * - a table or index that cannot grow fails its statement with SQLSTATE 53100 ("could not extend
 *   file … No space left on device"); the transaction rolls back and the server stays up;
 * - a WAL segment that cannot be created (16 MB each) PANICs the backend at COMMIT, the client gets
 *   53100, the postmaster restarts every process, recovery itself needs a new segment and fails,
 *   and the postmaster exits. It starts again only once space returns.
 * Either way the transaction is not committed, and the writer commits no Kafka offset.
 */

/** SQLSTATE disk_full */
const DISK_FULL = '53100'

/** True for an error that says the database's disk is full (SQLSTATE 53100, or ENOSPC in words). */
export function isDiskFullError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const e = err as { code?: unknown; message?: unknown }
  if (e.code === DISK_FULL || e.code === 'ENOSPC') return true
  return typeof e.message === 'string' && /No space left on device|ENOSPC/.test(e.message)
}

export interface DiskSpace {
  /** the directory asked about, as given (made absolute) */
  dir: string
  /** where its file system is mounted; null where /proc/self/mountinfo cannot say (not Linux) */
  mountPoint: string | null
  /** bytes an unprivileged writer may still use */
  freeBytes: number
  totalBytes: number
}

/** The mount point of `dir`: the longest mount path that contains it, from mountinfo's text. */
export function mountPointOf(dir: string, mountinfo: string): string | null {
  let best: string | null = null
  for (const line of mountinfo.split('\n')) {
    // Field 5 is the mount point, with spaces and the like escaped as octal (\040).
    const raw = line.split(' ')[4]
    if (!raw) continue
    const mp = raw.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    const inside = mp === '/' || dir === mp || dir.startsWith(mp + '/')
    if (inside && (best === null || mp.length > best.length)) best = mp
  }
  return best
}

/** Free space of the file system under `dir`, and where it is mounted. */
export async function diskSpace(dir: string): Promise<DiskSpace> {
  // Through symlinks: a data dir linked onto another disk is that disk's.
  const real = await realpath(dir).catch(() => path.resolve(dir))
  const [s, mountinfo] = await Promise.all([
    statfs(real),
    readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
  ])
  return {
    dir: path.resolve(dir),
    mountPoint: mountPointOf(real, mountinfo),
    freeBytes: s.bavail * s.bsize,
    totalBytes: s.blocks * s.bsize,
  }
}

/** "/data/postgres (disk mounted at /data): 0 kB free of 96.0 MB" */
export function describeDisk(d: DiskSpace): string {
  const where = d.mountPoint && d.mountPoint !== d.dir ? ` (disk mounted at ${d.mountPoint})` : ''
  return `${d.dir}${where}: ${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}`
}

/**
 * The disk-full notice for the writer: which disk and how much is left, that nothing is committed
 * and Kafka holds the backlog, and what brings it back. `dir` is the embedded cluster's directory;
 * an external server's disk is not ours to measure, so then the error names the file instead.
 */
export async function diskFullNotice(err: Error, dir: string | undefined): Promise<string> {
  const disk = dir ? await diskSpace(dir).then(describeDisk, () => dir) : null
  const what = disk
    ? `PostgreSQL's disk is full, ${disk}`
    : `the database server's disk is full (${err.message})`
  return (
    `${what}. Writing is paused and nothing is committed; Kafka holds the backlog. ` +
    'It resumes by itself once space is freed (retention, or removing files on that disk)'
  )
}

/**
 * A failed start of the embedded server, with the disk's free space when it failed for want of it:
 * the supervisor repeats this message on every attempt until space returns.
 */
export async function withDiskSpace(err: unknown, dir: string): Promise<unknown> {
  if (!isDiskFullError(err)) return err
  const disk = await diskSpace(dir).then(describeDisk, () => dir)
  return new Error(`${(err as Error).message.split('\n')[0]}; the disk is full: ${disk}`, { cause: err })
}

/**
 * A service's last log lines, to tell a death for want of space from others: PostgreSQL (a WAL that
 * cannot grow) and Kafka (a failed log dir) both just exit with code 1, and only the log says why.
 */
export class LastWords {
  private lines: string[] = []

  constructor(private readonly keep = 30) {}

  add(line: string): void {
    this.lines.push(line)
    if (this.lines.length > this.keep) this.lines.shift()
  }

  clear(): void {
    this.lines = []
  }

  /** "its disk is full, <dir> …: N free of M" when the lines say the disk was full; else null. */
  async diskFull(dir: string): Promise<string | null> {
    if (!this.lines.some((l) => /No space left on device/.test(l))) return null
    return `its disk is full, ${await diskSpace(dir).then(describeDisk, () => dir)}`
  }
}
