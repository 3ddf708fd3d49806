/** Hears an error a listener threw; the emitter has already moved on to the next listener. */
export type ListenerErrorHandler = (err: unknown) => void

/**
 * A set of listeners for one kind of event. A listener that throws is handed to `onListenerError`
 * and the others are still called: one broken face (a closed socket, a UI bug) must not starve the
 * rest, nor abort the code that fired the event halfway.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>()

  constructor(private readonly onListenerError: ListenerErrorHandler) {}

  /** Adds a listener; returns the function that removes it. */
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  fire(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value)
      } catch (err) {
        this.onListenerError(err)
      }
    }
  }

  get size(): number {
    return this.listeners.size
  }

  clear(): void {
    this.listeners.clear()
  }
}
