import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { COMMAND_NAMES, commandChannel, eventChannel, EVENT_NAMES } from '../shared/channels'
import type { ApiError, TickflowApi } from '../shared/contract'

type Reply = { ok: true; value: unknown } | { ok: false; error: ApiError }

async function call(name: (typeof COMMAND_NAMES)[number], request: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(commandChannel(name), request)) as Reply
  if (reply.ok) return reply.value
  throw Object.assign(new Error(reply.error.message), { field: reply.error.field })
}

// A narrow object, one method per command: the renderer never sees ipcRenderer itself.
const commands = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, (request?: unknown) => call(name, request)]),
) as unknown as Omit<TickflowApi, 'on'>

const api = {
  ...commands,
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
