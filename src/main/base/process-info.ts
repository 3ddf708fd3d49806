// What a pid or lock file's pid is now: alive, which program, started when. Linux reads /proc;
// elsewhere `ps` stands in, and the start time is then unknown.
import { execFile } from 'node:child_process'
import { access, readFile } from 'node:fs/promises'

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(stat: string): string[] | undefined {
  const close = stat.lastIndexOf(')')
  if (close < 0) return undefined
  const rest = stat.slice(close + 2).trim()
  return rest ? rest.split(/\s+/) : undefined
}

/** /proc/<pid>/stat's state letter; 'Z' marks an exited child not yet reaped. */
export function parseProcState(stat: string): string | undefined {
  return statFields(stat)?.[0]
}

/**
 * /proc/<pid>/stat's starttime (field 22, clock ticks after boot). A pid and its start time name one
 * process for good: a pid reused after the holder died comes with a later start time.
 */
export function parseStatStartTime(stat: string): number | undefined {
  const v = Number(statFields(stat)?.[19])
  return Number.isInteger(v) && v >= 0 ? v : undefined
}

/** `procRoot` is where /proc is: a test points it elsewhere to see a pid vanish mid-check. */
export async function isProcessAlive(pid: number, procRoot = '/proc'): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    return parseProcState(await readFile(`${procRoot}/${pid}/stat`, 'utf8')) !== 'Z'
  } catch (err) {
    if (!(await exists(procRoot))) return true // no /proc (macOS): kill(0) is all we have
    // With a /proc, a missing entry means the process exited (and was reaped) after kill(0).
    const code = (err as NodeJS.ErrnoException).code
    return code !== 'ENOENT' && code !== 'ESRCH'
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

/** undefined when the process is gone or there is no /proc. */
export async function processStartTime(pid: number): Promise<number | undefined> {
  try {
    return parseStatStartTime(await readFile(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

export async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim() || undefined
  } catch {
    return new Promise((resolve) => {
      execFile('ps', ['-o', 'args=', '-p', String(pid)], (err, stdout) =>
        resolve(err ? undefined : stdout.trim() || undefined),
      )
    })
  }
}
