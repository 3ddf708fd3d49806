import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { isProcessAlive, processCommandLine } from '../base/process-info'

/** File-system and process chores around the embedded cluster: the OS user, the lock file. */

const exec = promisify(execFile)

/** spawn() options that make a child run as the postgres OS user; empty unless we are root. */
export interface Identity {
  uid?: number
  gid?: number
}

const OS_USER = 'postgres'

async function lookupUser(name: string): Promise<Identity | undefined> {
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '')
  const fields = passwd
    .split('\n')
    .find((l) => l.startsWith(name + ':'))
    ?.split(':')
  if (!fields || fields.length < 4) return undefined
  return { uid: Number(fields[2]), gid: Number(fields[3]) }
}

/**
 * PostgreSQL refuses to run as root (containers, CI), so then its binaries run as the OS user
 * "postgres", which is created when missing. That changes the host, but only when it is root.
 */
export async function postgresIdentity(): Promise<Identity> {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return {}
  let who = await lookupUser(OS_USER)
  if (!who) {
    await exec('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      OS_USER,
    ]).catch((err: Error) => {
      throw new Error(
        `running as root, and could not create the OS user "${OS_USER}" for PostgreSQL: ${err.message}`,
      )
    })
    who = await lookupUser(OS_USER)
  }
  if (!who) throw new Error(`running as root, and the OS user "${OS_USER}" for PostgreSQL does not exist`)
  return who
}

/** The postgres user must be able to enter every directory above its cluster. */
export async function ensureTraversable(dir: string): Promise<void> {
  const who = await lookupUser(OS_USER)
  if (!who) return
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = await fs.stat(d)
    const ok =
      st.mode & 0o001 || (st.uid === who.uid && st.mode & 0o100) || (st.gid === who.gid && st.mode & 0o010)
    if (!ok) {
      throw new Error(
        `PostgreSQL runs as the OS user "${OS_USER}" (it refuses root), which cannot enter ${d} ` +
          `(mode ${(st.mode & 0o777).toString(8)}); choose a data dir outside it or run: chmod o+x ${d}`,
      )
    }
    if (d === path.dirname(d)) return
  }
}

export interface PostmasterPid {
  pid: number
  port: number
}

/** postmaster.pid exists while a server runs on the cluster, and after it crashed. */
export async function readPostmasterPid(clusterDir: string): Promise<PostmasterPid | null> {
  const text = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => null)
  if (text === null) return null
  const lines = text.split('\n')
  return { pid: Number(lines[0]), port: Number(lines[3]) }
}

/**
 * True when a command line is a postmaster serving this cluster: `…/postgres -D <clusterDir> …`.
 * The postmaster keeps its arguments (its children retitle themselves "postgres: …"), so another
 * cluster's server, or any other program, never matches, even when it got a pid a crashed run used.
 */
export function isPostmasterOf(cmdline: string, clusterDir: string): boolean {
  const at = `${cmdline} `.indexOf(` -D ${clusterDir} `)
  return at > 0 && /(^|\/)postgres$/.test(cmdline.slice(0, at))
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (!(await isProcessAlive(pid))) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !(await isProcessAlive(pid))
}

/**
 * After a crash of the app, either the server died too (the pid is gone or reused by another
 * program, and postgres itself may refuse to start) or it lives on as an orphan holding the
 * cluster. We stop an orphan (fast shutdown) and drop a stale file, then start as usual. Only a
 * postmaster of this very cluster is stopped: a pid we cannot place is left alone, and should it be
 * ours after all, PostgreSQL's own shared-memory check refuses the second start.
 */
export async function clearStalePid(
  clusterDir: string,
  stale: PostmasterPid,
  progress: (msg: string) => void,
): Promise<void> {
  const file = path.join(clusterDir, 'postmaster.pid')
  const cmdline =
    stale.pid > 0 && (await isProcessAlive(stale.pid)) ? await processCommandLine(stale.pid) : undefined
  if (Number.isInteger(stale.pid) && cmdline !== undefined && isPostmasterOf(cmdline, clusterDir)) {
    progress(`Stopping a PostgreSQL left running on this cluster (pid ${stale.pid}, port ${stale.port})…`)
    process.kill(stale.pid, 'SIGINT')
    if (!(await waitGone(stale.pid, 30_000))) {
      process.kill(stale.pid, 'SIGQUIT')
      if (!(await waitGone(stale.pid, 10_000))) {
        throw new Error(`PostgreSQL pid ${stale.pid} still holds ${clusterDir}; stop it and retry`)
      }
    }
    await fs.rm(file, { force: true }) // gone after a clean shutdown; left after SIGQUIT
    return
  }
  progress(`Removing a stale postmaster.pid (pid ${stale.pid} is not a PostgreSQL of this cluster)`)
  await fs.rm(file, { force: true })
}
