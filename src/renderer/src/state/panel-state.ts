import type { PipelineState } from '@shared/status'

/** What a panel shows; each state has its own look (see Panel.tsx and main.css). */
export type PanelState = 'loading' | 'empty' | 'error' | 'stale' | 'ready'

/** The transport's link to the core. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

export interface PanelInputs {
  /** a snapshot has arrived for the current watch (or an earlier one) */
  hasSnapshot: boolean
  /** the view has nothing to draw in that snapshot */
  isEmpty: boolean
  /** the last watch/snapshot error, or the view's own build error */
  error: string | null
  stale: boolean
}

/** The data may be old: the server link is down, or the pipeline runs while its source is not open. */
export function isStale(
  connection: ConnectionState,
  pipeline: PipelineState | null,
  sourceState: string | null,
): boolean {
  if (connection === 'reconnecting') return true
  return pipeline === 'running' && sourceState !== 'open'
}

/** Error first, then loading; a stale chart stays drawn (dimmed) even when it was empty. */
export function panelState(i: PanelInputs): PanelState {
  if (i.error !== null) return 'error'
  if (!i.hasSnapshot) return 'loading'
  if (i.stale) return 'stale'
  if (i.isEmpty) return 'empty'
  return 'ready'
}

/** The empty panel's sentence: what the user can do about it. */
export function emptyMessage(pipeline: PipelineState | null, customWindow: boolean): string {
  if (pipeline === 'running' || pipeline === 'starting') return 'Waiting for trades…'
  if (customWindow) return 'No trades in this window'
  return 'No trades yet: press Start'
}
