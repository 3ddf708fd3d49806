import type { AppConfig, CommandName, CommandRequest, CommandResponses, TickflowApi } from '@shared/contract'
import type { PipelineState, PipelineStatus } from '@shared/status'
import { DEFAULT_THRESHOLDS } from '@shared/thresholds'
import { cleanup } from '@testing-library/react'
import userEvent, { type UserEvent } from '@testing-library/user-event'
import { afterEach, expect } from 'vitest'

/**
 * The component tests' api, put where the preload puts the real one (window.api), so ../api picks
 * it as it picks IPC under Electron. Import this module before any component: ../api reads
 * window.api once, when it loads. Each command is recorded; it answers as the test says, and a
 * command the test did not expect fails the test.
 */

export const calls: { command: CommandName; request: unknown }[] = []
/** commands called that the test gave no answer: each fails the test after it */
const unexpected: CommandName[] = []
const answers = new Map<CommandName, (request: never) => unknown>()

/** How `command` answers until resetApi(): a value, or a throw the control must show. */
export function answer<K extends CommandName>(
  command: K,
  reply: (request: CommandRequest<K>) => CommandResponses[K] | Promise<CommandResponses[K]>,
): void {
  answers.set(command, reply as (request: never) => unknown)
}

export function resetApi(): void {
  calls.length = 0
  answers.clear()
}

/** The requests of one command, in order. */
export function requestsOf<K extends CommandName>(command: K): CommandRequest<K>[] {
  return calls.filter((c) => c.command === command).map((c) => c.request as CommandRequest<K>)
}

const double = new Proxy({} as TickflowApi, {
  get: (_, name: string) => {
    // events: the controls under test subscribe to none, and none is pushed
    if (name === 'on') return () => () => undefined
    return async (request: unknown) => {
      calls.push({ command: name as CommandName, request })
      const reply = answers.get(name as CommandName)
      if (!reply) {
        unexpected.push(name as CommandName)
        throw new Error(`unexpected command ${name}`)
      }
      return reply(request as never)
    }
  },
})
;(window as { api?: TickflowApi }).api = double

// vitest runs without globals, so Testing Library cannot register its own cleanup
afterEach(() => {
  cleanup()
  resetApi()
  expect(unexpected.splice(0), 'commands the test did not expect').toEqual([])
})

/** A user that types and clicks without pauses between keys: the tests wait on the DOM, not on time. */
export function user(): UserEvent {
  return userEvent.setup({ delay: null })
}

export const CONFIG: AppConfig = {
  source: 'demo',
  replayFile: null,
  replayRecording: null,
  speed: 1,
  demoRate: 50,
  finnhubToken: 'not set',
  symbols: ['AAPL', 'AMZN'],
  thresholds: DEFAULT_THRESHOLDS,
  symbolsSubscribedPinned: false,
  behaviour: { closeToTray: true, startOnOpen: false, openAtLogin: false, notificationsOff: [] },
}

/** A status in the given state; the controls read only the state and the connections. */
export function statusIn(state: PipelineState): PipelineStatus {
  return {
    state,
    detail: null,
    source: null,
    symbols: [],
    counters: {} as PipelineStatus['counters'],
    rates: { received: 0, written: 0 },
    lag: null,
    backlog: null,
    feedErrors: [],
    consumer: {} as PipelineStatus['consumer'],
    kafka: { bootstrap: '127.0.0.1:9092', managed: true, topic: 'trades', state: 'ready', detail: null },
    postgres: { target: 'postgres://127.0.0.1:5432/tickflow', embedded: true },
    storage: null,
    at: 0,
  }
}
