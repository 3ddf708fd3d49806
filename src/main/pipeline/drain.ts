import type { PipelineRole } from './role'

/**
 * Whether a stopping process waits for its whole group's lag to reach zero. Role `all` does, as
 * ever. A writer does only as the group's one member: beside other writers (and an ingest still
 * feeding them) that lag may never reach zero, and leaving loses nothing, since its partitions and
 * their uncommitted records pass to the others. `members` null (the broker did not say): wait.
 */
export function drainsWholeGroup(role: PipelineRole, members: number | null): boolean {
  if (role !== 'write') return true
  return members === null || members <= 1
}
