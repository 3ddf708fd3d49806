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
  return partitionLagsOf(ends, committed).reduce((sum, p) => sum + p.lag, 0n)
}

/** The lag of each partition (retention applies per partition, so the furthest behind matters). */
export function partitionLagsOf(
  ends: { partition: number; high: string; low: string }[],
  committed: Map<number, bigint>,
): { partition: number; lag: bigint }[] {
  return ends.map((e) => {
    const c = committed.get(e.partition)
    const from = c === undefined || c < 0n ? BigInt(e.low) : c
    const d = BigInt(e.high) - from
    return { partition: e.partition, lag: d > 0n ? d : 0n }
  })
}
