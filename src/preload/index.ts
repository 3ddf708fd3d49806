import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { commandChannel, eventChannel, EVENT_NAMES, type CommandName } from '../shared/channels'
import type { ApiError, CommandRequest, CommandResponses, TickflowApi } from '../shared/contract'

// The sandboxed preload is bundled alone: it imports channels.ts and types only (no zod).

type Reply<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** One command's method: it sends the request on the command's channel and unwraps main's reply. */
function command<K extends CommandName>(
  name: K,
): (request?: CommandRequest<K>) => Promise<CommandResponses[K]> {
  const channel = commandChannel(name)
  return async (request) => {
    // invoke() returns any; main's ipc.ts answers every command with a Reply of its handler's value.
    const reply: Reply<CommandResponses[K]> = await ipcRenderer.invoke(channel, request)
    if (reply.ok) return reply.value
    throw Object.assign(new Error(reply.error.message), { field: reply.error.field })
  }
}

// A narrow object, one method per command: the renderer never sees ipcRenderer itself. `satisfies`
// checks that every command is here (and nothing else) with the contract's request and reply.
const api = {
  startPipeline: command('startPipeline'),
  stopPipeline: command('stopPipeline'),
  getStatus: command('getStatus'),
  getConfig: command('getConfig'),
  setSource: command('setSource'),
  listRecordings: command('listRecordings'),
  chooseReplayFile: command('chooseReplayFile'),
  setFinnhubToken: command('setFinnhubToken'),
  subscribe: command('subscribe'),
  unsubscribe: command('unsubscribe'),
  getThresholds: command('getThresholds'),
  setThreshold: command('setThreshold'),
  pinSymbolsSubscribed: command('pinSymbolsSubscribed'),
  testConnection: command('testConnection'),
  watch: command('watch'),
  getAlerts: command('getAlerts'),
  kpiSnapshot: command('kpiSnapshot'),
  exportCsv: command('exportCsv'),
  previewRetention: command('previewRetention'),
  setRetention: command('setRetention'),
  savePng: command('savePng'),
  copyPng: command('copyPng'),
  setBehaviour: command('setBehaviour'),
  on(event, listener) {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`unknown event: ${event}`)
    const channel = eventChannel(event)
    const wrapped = (_e: IpcRendererEvent, payload: unknown): void =>
      (listener as (p: unknown) => void)(payload)
    ipcRenderer.on(channel, wrapped)
    return () => void ipcRenderer.removeListener(channel, wrapped)
  },
} satisfies TickflowApi

contextBridge.exposeInMainWorld('api', api)
