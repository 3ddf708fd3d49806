import type { Kafka } from 'kafkajs'
import type { Pipeline } from '../src/main/pipeline/pipeline'
import type { TradeSource } from '../src/main/pipeline/sources/source'
import type { Database } from '../src/main/postgres/database'
import { createPipeline } from '../src/main/services'
import { log } from './log'
import type { BenchServices } from './services'

/** A Pipeline as the CLI builds it (same buffer size), on a phase's own topic, group and schema. */
export function benchPipeline(
  s: BenchServices,
  db: Database,
  source: TradeSource,
  topic: string,
  partitions: number,
): Pipeline {
  // The phase's schema on the services' server (embedded or not, as theirs is).
  const p = createPipeline(
    { ...s.services, db: { ...db, embedded: s.services.db.embedded } },
    { source, topic, partitions, groupId: `${topic}-writer`, statusIntervalMs: 1_000 },
  )
  p.onAlert((a) => log(`pipeline ${a.level}: ${a.message}`))
  return p
}

/** Waits until the consumer group holds a stable assignment, i.e. the writer is ready to fetch. */
export async function waitForStableGroup(kafka: Kafka, groupId: string, timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]).catch(() => ({ groups: [] }))
      const g = groups[0]
      if (g && g.state === 'Stable' && g.members.length > 0) return
      if (Date.now() > deadline) throw new Error(`consumer group ${groupId} did not become stable`)
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    await admin.disconnect()
  }
}

/**
 * Polls until check() holds, calling onTick about every tickMs for progress lines. Gives up after
 * timeoutMs, or when progress() has not moved for stallMs: a stuck run should fail, not eat the budget.
 */
export async function pollUntil(
  check: () => boolean,
  opts: {
    intervalMs: number
    timeoutMs: number
    tickMs?: number
    onTick?: () => void
    progress?: () => number
    stallMs?: number
  },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs
  let nextTick = Date.now() + (opts.tickMs ?? 5_000)
  let last = opts.progress?.()
  let movedAt = Date.now()
  while (!check()) {
    if (Date.now() > deadline) return false
    if (opts.progress) {
      const now = opts.progress()
      if (now !== last) {
        last = now
        movedAt = Date.now()
      } else if (Date.now() - movedAt > (opts.stallMs ?? 60_000)) return false
    }
    if (opts.onTick && Date.now() >= nextTick) {
      opts.onTick()
      nextTick += opts.tickMs ?? 5_000
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs))
  }
  return true
}
