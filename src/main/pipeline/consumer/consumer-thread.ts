// Who restarts what, around the writer (the Kafka → PostgreSQL consumer):
// - kafkajs retries a transient broker error itself (consumer.ts: 10 retries); a consumer that
//   crashes anyway is not restarted by kafkajs (restartOnFailure is false).
// - This module is the one layer that restarts the writer, whatever ended it: its consumer crashed,
//   stopped on its own or stalled (consumer-monitor.ts, in the thread, tells so and the thread ends),
//   the thread died, or a start did not join the group. It alone counts restarts
//   (ConsumerHealth.restarts) and waits between them by RESTART_BACKOFF (base/backoff.ts), whose
//   stable rule (a run of a minute) starts the count over.
// - The service supervisor (supervise/service-supervisor.ts) restarts whole processes, the managed
//   broker and embedded PostgreSQL, by the same policy. The writer rides through those as any
//   client does: kafkajs retries, writes retry in place (consumer.ts), and what crashes lands here.
import type { ConsumerHealth } from '../../../shared/status'
import { backoffDelay, nextAttempt, RESTART_BACKOFF, type BackoffOptions } from '../../base/backoff'
import { Emitter } from '../../base/emitter'
import { settlesWithin, Sleeper } from '../../base/time-limit'
import { logListenerError } from '../../log/logger'
import { addStats, NO_CONSUMER_STATS, type ConsumerStats } from './consumer'
import {
  runConsumerThread,
  type ConsumerThreadInit,
  type RunEnd,
  type RunLimits,
  type ThreadRun,
} from './consumer-thread-run'

export interface ConsumerThreadOptions extends RunLimits {
  backoff?: BackoffOptions
  random?: () => number
  /** one run of the writer; a consumer thread (consumer-thread-run.ts) unless a test says otherwise */
  launch?: () => ThreadRun
}

/** The writer's health before it was ever started. */
export const NO_CONSUMER_HEALTH: Readonly<ConsumerHealth> = {
  state: 'stopped',
  lastBatchAt: null,
  lastError: null,
  restarts: 0,
}

/**
 * Runs the Kafka → PostgreSQL consumer in a worker thread, and keeps it running until stop(): the
 * one layer that restarts the writer (see the top of this file). In one thread the source and
 * producer starve it of the event loop under load; in its own it writes while they read, on the
 * other core. Its first start goes on in the background until it joins, since after a crash the
 * group waits out the dead member's session first and ingest must not wait that long; the records
 * wait in Kafka meanwhile. Restarting is safe because offsets are committed only after their rows
 * (DESIGN invariant 2): a new thread resumes at the last commit.
 */
export class ConsumerThread {
  private run: ThreadRun | null = null
  /** counters of runs already over, so the totals never go backwards */
  private banked: ConsumerStats = { ...NO_CONSUMER_STATS }
  private state: ConsumerHealth['state'] = 'stopped'
  /** why the last run ended or failed to start; a running thread's own report comes first */
  private lastError: string | null = null
  private restarts = 0
  private joined = false
  private stopping = false
  private loop: Promise<void> | null = null
  private readonly pause = new Sleeper()
  // whenJoined's waiters: each hears once, then all are cleared
  private readonly onJoined = new Emitter<boolean>(logListenerError('consumer', 'joined'))

  constructor(
    private readonly init: ConsumerThreadInit,
    private readonly opts: ConsumerThreadOptions = {},
  ) {}

  /** Keeps the writer running from now on; resolves true once it has joined, false if stopped first. */
  start(): Promise<boolean> {
    this.loop ??= this.keepRunning()
    return this.whenJoined(Infinity)
  }

  /** Resolves true once the writer has joined its group, false if it has not within `ms`. */
  async whenJoined(ms: number): Promise<boolean> {
    if (this.joined) return true
    if (ms <= 0 || this.stopping) return false
    let timer: NodeJS.Timeout | undefined
    let forget: (() => void) | undefined
    const settled = new Promise<boolean>((resolve) => {
      forget = this.onJoined.on(resolve)
      if (ms < Infinity) timer = setTimeout(() => resolve(false), ms)
    })
    try {
      return await settled
    } finally {
      // A waiter that timed out must not stay behind; stop() answers the rest with false.
      clearTimeout(timer)
      forget?.()
    }
  }

  /** Lets the batch in hand commit and ends the thread (bounded); no restart after this. */
  async stop(): Promise<void> {
    this.stopping = true
    this.pause.wake()
    this.onJoined.fire(false)
    this.onJoined.clear()
    await this.run?.stop()
    if (this.loop) await settlesWithin(this.loop, 10_000)
    this.state = 'stopped'
  }

  stats(): ConsumerStats {
    return addStats(this.banked, this.run?.stats() ?? NO_CONSUMER_STATS)
  }

  health(): ConsumerHealth {
    return {
      state: this.state,
      lastBatchAt: this.stats().lastBatchAt,
      lastError: this.run?.lastError() ?? this.lastError,
      restarts: this.restarts,
    }
  }

  /** One run after another, with the backoff between, until stop(). */
  private async keepRunning(): Promise<void> {
    const policy = this.opts.backoff ?? RESTART_BACKOFF
    let attempt = 0
    while (!this.stopping) {
      this.state = this.joined ? 'restarting' : 'starting'
      const run = (this.run = (this.opts.launch ?? (() => runConsumerThread(this.init, this.opts)))())
      const end = await this.follow(run, attempt)
      this.bank(run)
      if (this.stopping || !end) return
      attempt = nextAttempt(attempt, end.ranMs, policy)
      const delay = backoffDelay(attempt, policy, this.opts.random)
      this.say(end, delay)
      await this.pause.sleep(delay)
    }
  }

  /** Follows one run to its end: null when it was stopped, else why it ended and how long it ran. */
  private async follow(run: ThreadRun, failures: number): Promise<(RunEnd & { ranMs: number }) | null> {
    try {
      await run.started
    } catch (err) {
      const message = (err as Error).message
      if (!this.joined) return { level: 'error', why: message, ranMs: 0 }
      return { level: 'warn', why: `Kafka consumer could not start (${message})`, ranMs: 0 }
    }
    const joinedAt = Date.now()
    this.state = 'running'
    if (!this.joined) this.joinedFirst(failures)
    const end = await run.ended
    return end && { ...end, ranMs: Date.now() - joinedAt }
  }

  private joinedFirst(failures: number): void {
    this.joined = true
    this.onJoined.fire(true)
    this.onJoined.clear()
    if (failures > 0) this.opts.onNotice?.('info', `the writer joined consumer group ${this.groupId}`)
  }

  /** Before the first join a failure is a join that failed; after it, a restart (counted). */
  private say({ level, why }: RunEnd, delay: number): void {
    const s = (delay / 1000).toFixed(1)
    if (this.joined) {
      this.restarts++
      this.state = 'restarting'
      this.lastError = why
      this.opts.onNotice?.(level, `${why}; restarting it in ${s} s (restart ${this.restarts})`)
    } else {
      this.state = 'failed'
      this.lastError = why
      this.opts.onNotice?.(
        level,
        `the writer could not join consumer group ${this.groupId}: ${why}; ` +
          `trying again in ${s} s (the trades wait in Kafka)`,
      )
    }
  }

  /** Keeps a finished run's counters, so the totals never go backwards. */
  private bank(run: ThreadRun): void {
    this.banked = addStats(this.banked, run.stats())
    this.lastError = run.lastError() ?? this.lastError
    if (this.run === run) this.run = null
  }

  private get groupId(): string {
    return this.init.options.groupId
  }
}
