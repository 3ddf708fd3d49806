import { loadavg } from 'node:os'

const t0 = Date.now()

/** A progress line on stderr: seconds since start, the 1-minute load average, the message. */
export function log(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6)
  process.stderr.write(`[bench ${s}s load ${loadavg()[0]!.toFixed(2)}] ${msg}\n`)
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
