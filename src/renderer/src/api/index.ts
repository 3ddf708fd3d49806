import type { TickflowApi } from '@shared/contract'
import { createWsApi, type ConnectionState, type WsApi } from './ws-client'

export type { ConnectionState } from './ws-client'

/**
 * The renderer's one api object, picked at start: Electron's preload defines window.api; in a
 * plain browser (npm run serve) a WebSocket client of the same type talks to /api on the page's
 * own origin, authenticated by the cookie the server set.
 */
function pick(): { api: TickflowApi; ws: WsApi | null } {
  // env.d.ts types window.api as always there, which holds only under Electron: ask the object.
  const preload = 'api' in window ? (window.api as TickflowApi | undefined) : undefined
  if (preload) return { api: preload, ws: null }
  const ws = createWsApi(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`)
  return { api: ws, ws }
}

const picked = pick()
const ws = picked.ws
export const api: TickflowApi = picked.api

/** Browser mode (npm run serve): files come as HTTP downloads, not through main's save dialog. */
export const browserMode: boolean = ws !== null

/** The transport's state: always 'open' under Electron, where IPC cannot drop. */
export function connectionState(): ConnectionState {
  return ws ? ws.connection() : 'open'
}

/** Called on each change of connectionState(); returns its unsubscribe. */
export function onConnectionChange(listener: (state: ConnectionState) => void): () => void {
  return ws ? ws.onConnection(listener) : () => undefined
}
