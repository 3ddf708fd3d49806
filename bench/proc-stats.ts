import { readFileSync, readdirSync, writeFileSync } from 'node:fs'

/** Linux /proc readings: peak RSS (VmHWM) and CPU time, for this process, the broker and Postgres. */

const CLK_TCK = 100 // sysconf(_SC_CLK_TCK) on every Linux build we run on

/** Peak resident set since start (or since resetPeak), in MB; null when /proc is not readable. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so a peak belongs to one phase. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // comm may hold spaces and parens: the fields start after the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** utime + stime of one process, in seconds (fields 14 and 15 of /proc/pid/stat). */
export function cpuSeconds(pid: number): number | null {
  const f = statFields(pid)
  if (!f) return null
  return (Number(f[11]) + Number(f[12])) / CLK_TCK
}

function parentOf(pid: number): number | null {
  const f = statFields(pid)
  return f ? Number(f[1]) : null
}

/** The postmaster and all its live children (backends, checkpointer, WAL writer…). */
export function postgresPids(postmaster: number): number[] {
  const out = [postmaster]
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (Number.isInteger(pid) && parentOf(pid) === postmaster) out.push(pid)
  }
  return out
}

/** Postmaster pid from any backend pid (our own connection's). */
export function postmasterOf(backendPid: number): number | null {
  // A remote server's pid may name any local process: believe it only if it is a postgres.
  try {
    if (readFileSync(`/proc/${backendPid}/comm`, 'utf8').trim() !== 'postgres') return null
  } catch {
    return null
  }
  return parentOf(backendPid)
}

/** CPU seconds of a group of processes, summed per pid so a start/end pair can be diffed. */
export function cpuByPid(pids: number[]): Map<number, number> {
  const m = new Map<number, number>()
  for (const p of pids) {
    const s = cpuSeconds(p)
    if (s !== null) m.set(p, s)
  }
  return m
}

/** CPU used between two readings; processes that appeared later count from zero. */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0)
  return sum
}
