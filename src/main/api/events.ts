import type { EventName, EventPayloads } from '../../shared/contract'

type Listener<E extends EventName> = (payload: EventPayloads[E]) => void

/** Pushed events for whichever faces are listening (Electron window, browser-mode sockets, CLI). */
export class EventHub {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>()

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener as Listener<EventName>)
    return () => set.delete(listener as Listener<EventName>)
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload)
      } catch {
        // one broken listener (a closed socket, say) must not starve the others
      }
    }
  }
}
