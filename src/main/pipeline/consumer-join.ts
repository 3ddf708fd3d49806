import type { AlertLevel, ConsumerHealth } from '../../shared/status'
import { Emitter } from '../base/emitter'
import { settlesWithin, Sleeper } from '../base/time-limit'
import { appLog, logListenerError } from '../log/logger'
import { restartDelay } from './consumer-health'
import type { ConsumerThread } from './consumer-thread'

function stopFailed(err: unknown, when: string): void {
  appLog('consumer').debug({ err }, `the consumer thread failed while ${when}; the pipeline stops regardless`)
}

/** The writer's health before it was ever started. */
export const NO_CONSUMER_HEALTH: Readonly<ConsumerHealth> = {
  state: 'stopped',
  lastBatchAt: null,
  lastError: null,
  restarts: 0,
}

/**
 * Starts the writer (the consumer thread) in the background, retrying with capped backoff until it
 * has joined its group or stop() is called. Joining can take a while: after a crash the group
 * waits out the dead member's session (30 s) first, and ingest must not wait that long, or a live
 * feed's trades of those seconds are lost. The records wait in Kafka meanwhile.
 */
export class ConsumerJoin {
  private stopping = false
  private done: Promise<void> | null = null
  private readonly pause = new Sleeper()
  private joined = false
  // whenJoined's waiters: each hears once, then all are cleared
  private readonly onJoined = new Emitter<boolean>(logListenerError('consumer', 'joined'))

  constructor(
    private readonly consumer: ConsumerThread,
    private readonly notice: (level: AlertLevel, message: string) => void,
    private readonly groupId: string,
  ) {}

  start(): void {
    this.done ??= this.run()
  }

  /** Resolves true once the consumer has joined its group, false if it has not within `ms`. */
  async whenJoined(ms: number): Promise<boolean> {
    if (this.joined) return true
    if (ms <= 0 || this.stopping) return false
    let timer: NodeJS.Timeout | undefined
    let forget: (() => void) | undefined
    const settled = new Promise<boolean>((resolve) => {
      forget = this.onJoined.on(resolve)
      timer = setTimeout(() => resolve(false), ms)
    })
    try {
      return await settled
    } finally {
      // A waiter that timed out must not stay behind; stop() answers the rest with false.
      clearTimeout(timer)
      forget?.()
    }
  }

  /**
   * Ends the attempts and the consumer (bounded: the thread's own stop and start limits). A join
   * in progress is cut short by the thread's stop, which ends the attempt with an error we ignore.
   */
  async stop(): Promise<void> {
    this.stopping = true
    this.pause.wake()
    this.onJoined.fire(false)
    this.onJoined.clear()
    // The pipeline stops either way; a thread that would not stop cleanly is worth finding later.
    await this.consumer.stop().catch((err: unknown) => stopFailed(err, 'stopping'))
    if (this.done) await settlesWithin(this.done, 10_000)
    // A start that lost the race against the stop above leaves its own state behind; settle it.
    await this.consumer.stop().catch((err: unknown) => stopFailed(err, 'settling a late start'))
  }

  private async run(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.consumer.start()
        if (this.stopping) return
        this.joined = true
        this.onJoined.fire(true)
        this.onJoined.clear()
        if (attempt > 1) this.notice('info', `the writer joined consumer group ${this.groupId}`)
        return
      } catch (err) {
        if (this.stopping) return
        const delay = restartDelay(attempt)
        this.notice(
          'error',
          `the writer could not join consumer group ${this.groupId}: ${(err as Error).message}; ` +
            `trying again in ${(delay / 1000).toFixed(1)} s (the trades wait in Kafka)`,
        )
        await this.pause.sleep(delay)
      }
    }
  }
}
