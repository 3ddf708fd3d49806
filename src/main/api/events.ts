import type { EventName, EventPayloads } from '../../shared/contract'
import { Emitter } from '../base/emitter'
import { logListenerError } from '../log/logger'

type Listener<E extends EventName> = (payload: EventPayloads[E]) => void

/** Pushed events for whichever faces are listening (Electron window, browser-mode sockets, CLI). */
export class EventHub {
  // One emitter per event: one broken listener (a closed socket, say) must not starve the others.
  private readonly emitters = new Map<EventName, Emitter<EventPayloads[EventName]>>()

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let emitter = this.emitters.get(event)
    if (!emitter) this.emitters.set(event, (emitter = new Emitter(logListenerError('api', event))))
    return emitter.on(listener as Listener<EventName>)
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    this.emitters.get(event)?.fire(payload)
  }
}
