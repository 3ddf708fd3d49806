// Offset bookkeeping, kept pure so it can be tested without a broker.

/** Kafka commits the offset of the NEXT record to read. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString()
}

/** Pure part of the lag: high watermark minus the committed offset (or the log start if none). */
export function lagOf(
  ends: { partition: number; high: string; low: string }[],
  committed: Map<number, bigint>,
): bigint {
  let lag = 0n
  for (const e of ends) {
    const c = committed.get(e.partition)
    const from = c === undefined || c < 0n ? BigInt(e.low) : c
    const d = BigInt(e.high) - from
    if (d > 0n) lag += d
  }
  return lag
}
