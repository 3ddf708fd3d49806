import type { TickflowApi } from '@shared/contract'

declare global {
  interface Window {
    /** Electron's preload, or browser mode's WebSocket client: the same typed API. */
    api: TickflowApi
  }
}
export {}
