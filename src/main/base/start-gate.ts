import { Emitter, type ListenerErrorHandler } from './emitter'

export type StartState = 'starting' | 'ready' | 'failed'

/** Where a slow start stands, in words for the status: its last progress, or why it failed. */
export interface StartView {
  state: StartState
  detail: string | null
}

/**
 * Something slow that the rest may come up without (the broker behind the database): it starts
 * at once, and whoever needs it awaits ready(). Its failure is kept as a state with a reason
 * rather than thrown at nobody: ready() rejects with it, and retry() starts again.
 */
export class StartGate<T> {
  private attempt!: Promise<T>
  private value: T | null = null
  private view: StartView = { state: 'starting', detail: null }
  private readonly changes: Emitter<StartView>

  constructor(
    private readonly launch: () => Promise<T>,
    onListenerError: ListenerErrorHandler,
  ) {
    this.changes = new Emitter(onListenerError)
    this.begin()
  }

  /** A gate that is open from the start: a value that needs no waiting (an external cluster). */
  static open<T>(value: T): StartGate<T> {
    const gate = new StartGate<T>(
      async () => value,
      () => undefined,
    )
    gate.value = value
    gate.view = { state: 'ready', detail: null }
    return gate
  }

  state(): StartView {
    return { ...this.view }
  }

  /** The value once ready; null while it starts or after it failed. */
  current(): T | null {
    return this.view.state === 'ready' ? this.value : null
  }

  /** The current attempt's value; rejects with its error while the gate is failed. */
  ready(): Promise<T> {
    return this.attempt
  }

  /** The current attempt, or a new one when it failed (Start pressed again after a failure). */
  retry(): Promise<T> {
    if (this.view.state === 'failed') this.begin()
    return this.attempt
  }

  /** A step of the start in words ("Formatting Kafka storage…"); ignored once it has settled. */
  progress(detail: string): void {
    if (this.view.state === 'starting') this.set({ state: 'starting', detail })
  }

  /** Resolves once the current attempt has settled, either way. */
  async settled(): Promise<void> {
    await this.attempt.then(
      () => undefined,
      () => undefined,
    )
  }

  /** Hears each change of state or progress; returns unsubscribe. */
  onChange(listener: (view: StartView) => void): () => void {
    return this.changes.on(listener)
  }

  private begin(): void {
    this.set({ state: 'starting', detail: null })
    const attempt: Promise<T> = Promise.resolve().then(() => this.launch())
    this.attempt = attempt
    attempt.then(
      (value) => {
        if (this.attempt !== attempt) return
        this.value = value
        this.set({ state: 'ready', detail: null })
      },
      (err: unknown) => {
        // The first line: a broker's start error goes on with its log tail.
        const why = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''
        if (this.attempt === attempt) this.set({ state: 'failed', detail: why })
      },
    )
  }

  private set(view: StartView): void {
    const was = this.view
    this.view = view
    if (was.state !== view.state || was.detail !== view.detail) this.changes.fire({ ...view })
  }
}
