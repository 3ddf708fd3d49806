import type { FrameSink } from '../../src/main/pipeline/sources/source'

/** Test-only helpers for the sources' tests (not used by production code). */

export interface CollectedFrame {
  raw: string
  receivedAt: number
}

export interface CollectingSink extends FrameSink {
  readonly frames: CollectedFrame[]
  /** raw texts only */
  raws(): string[]
}

export function collectingSink(): CollectingSink {
  const frames: CollectedFrame[] = []
  return {
    frames,
    raws: () => frames.map((f) => f.raw),
    frame(raw, receivedAt) {
      frames.push({ raw, receivedAt })
      return true
    },
    drain: () => Promise.resolve(),
  }
}

/** Polls until check() is truthy; fails with `what` after timeoutMs. Generous timeouts keep slow CI green. */
export async function waitFor<T>(check: () => T, what: string, timeoutMs = 5_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Trade frames' data arrays, flattened, from raw texts (skips pings, errors and junk). */
export function tradesIn(raws: string[]): { s: string }[] {
  const out: { s: string }[] = []
  for (const raw of raws) {
    try {
      const f = JSON.parse(raw) as { type?: string; data?: { s: string }[] }
      if (f.type === 'trade' && Array.isArray(f.data)) out.push(...f.data)
    } catch {
      // not JSON: not a trade frame
    }
  }
  return out
}
