/**
 * Which half of the pipeline a process runs. `ingest`: feed → producer → Kafka. `write`: Kafka →
 * consumer → writer → PostgreSQL, one member of the consumer group (--group-id) among any number,
 * on one machine or several. `all`: both, in one process. Every role opens PostgreSQL: `ingest`
 * stores its source's rejects there (see Pipeline's constructor for why).
 */
export const PIPELINE_ROLES = ['ingest', 'write', 'all'] as const
export type PipelineRole = (typeof PIPELINE_ROLES)[number]

/** What a role runs: the feed side (source, producer) and the writer side (consumer, writer). */
export function roleParts(role: PipelineRole): { feed: boolean; writer: boolean } {
  return { feed: role !== 'write', writer: role !== 'ingest' }
}

/** Flags that only shape the feed; a writer has no feed, so each of them is a mistake there. */
export const FEED_FLAGS = [
  'source',
  'symbols',
  'replay-file',
  'speed',
  'record',
  'demo-rate',
  'finnhub-url',
] as const

/** The one-line reason a role cannot take the given flags (names without `--`), or null. */
export function roleFlagConflict(role: PipelineRole | undefined, flags: readonly string[]): string | null {
  if (role !== 'write') return null
  const feed = flags.filter((f) => (FEED_FLAGS as readonly string[]).includes(f))
  if (feed.length === 0) return null
  const named = feed.map((f) => `--${f}`).join(', ')
  return `--role write runs no feed, so ${named} would do nothing; give ${feed.length > 1 ? 'them' : 'it'} to the --role ingest process`
}

/**
 * What a role needs of the resolved settings, as issues naming the setting. Writers of one group
 * must read the topic the ingest process fills and store into one database, so a writer never
 * starts a broker or an embedded PostgreSQL of its own: either would be empty, or another's.
 */
export function roleSettingsIssues(s: {
  role: PipelineRole
  brokers?: readonly unknown[]
  databaseUrl?: string
}): { path: string; message: string }[] {
  if (s.role !== 'write') return []
  const issues: { path: string; message: string }[] = []
  if (!s.brokers)
    issues.push({
      path: 'brokers',
      message: '--role write reads the topic an ingest process fills: name that cluster with --brokers',
    })
  if (!s.databaseUrl)
    issues.push({
      path: 'databaseUrl',
      message: '--role write stores into the database its group shares: give it with --database-url',
    })
  return issues
}
