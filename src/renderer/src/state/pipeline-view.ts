import type { PipelineState } from '@shared/status'

/** The words the top bar shows: the API's 'failed' reads as "error". */
export type StateWord = 'stopped' | 'starting' | 'running' | 'draining' | 'error'

export function stateWord(state: PipelineState): StateWord {
  return state === 'failed' ? 'error' : state
}

/** What the Start/Stop button does in this state; unknown (not loaded yet) starts. */
export function startStopAction(state: PipelineState | null): 'start' | 'stop' {
  return state === null || state === 'stopped' || state === 'failed' ? 'start' : 'stop'
}

/** Source settings apply at the next start, so they are locked while a run is under way. */
export function canEditSource(state: PipelineState | null): boolean {
  return startStopAction(state) === 'start'
}

/** The start/stop shortcut: Ctrl+Enter, or Cmd+Enter on a Mac. */
export function isStartStopShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return e.key === 'Enter' && (e.ctrlKey || e.metaKey)
}

/** "/" focuses the symbol input unless the user is typing somewhere. */
export function isFocusSymbolShortcut(
  e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean },
  targetTag: string | null,
  targetEditable: boolean,
): boolean {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return false
  const tag = (targetTag ?? '').toUpperCase()
  return !targetEditable && tag !== 'INPUT' && tag !== 'TEXTAREA' && tag !== 'SELECT'
}
