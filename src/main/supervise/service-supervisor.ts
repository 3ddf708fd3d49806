import type { AlertLevel } from '../../shared/status'
import { backoffDelay, nextAttempt, RESTART_BACKOFF, type BackoffOptions } from '../base/backoff'
import { settlesWithin, Sleeper } from '../base/time-limit'
import { describeExit, seconds, type ExitInfo } from './restart-policy'

export type { ExitInfo }

/** A started service process, as the broker and embedded PostgreSQL handles both are. */
export interface SupervisedProcess {
  pid: number
  exited: Promise<ExitInfo>
  stop(): Promise<void>
}

/** A service's death, restart or failed restart, in words, for the faces to show. */
export interface ServiceNotice {
  /** 'storage': retention (postgres/retention-job.ts), which rides the same path to the status */
  service: 'kafka' | 'postgres' | 'storage'
  level: AlertLevel
  message: string
  /** ms epoch */
  at: number
}

export interface ServiceSupervisorOptions<P extends SupervisedProcess> {
  service: 'kafka' | 'postgres'
  /** "the Kafka broker", "embedded PostgreSQL" */
  name: string
  /** starts one process; a restart must come back where clients look for it (same port) */
  launch(): Promise<P>
  /** where it listens, for the restart notice: "127.0.0.1:9092" */
  where(p: P): string
  notify(n: ServiceNotice): void
  /** why it died, where the service can tell more than its exit status ("its disk is full: …") */
  explainDeath?(p: P): Promise<string | null>
  backoff?: BackoffOptions
  random?: () => number
}

/**
 * Keeps one service process running: when it dies (not through stop()), says so, cleans up after
 * it and starts a new one after a capped backoff, for as long as it takes, until stop(). Clients
 * reconnect by themselves once it is back; what they wrote before is safe, because the broker
 * acknowledges and PostgreSQL commits only what is on disk (or at least in the OS's cache).
 * Whole processes only: the writer has its one restart layer of its own (pipeline/consumer/consumer-thread.ts
 * says who restarts what), and both wait by the same policy, RESTART_BACKOFF.
 */
export class ServiceSupervisor<P extends SupervisedProcess> {
  private current: P | null = null
  private stopping = false
  private attempt = 0
  private restarts = 0
  private restarting: Promise<void> | null = null
  private readonly pause = new Sleeper()

  constructor(private readonly opts: ServiceSupervisorOptions<P>) {}

  /** Starts the first process; its failure is the caller's to report (nothing ran yet). */
  async start(): Promise<P> {
    const p = await this.opts.launch()
    this.adopt(p)
    return p
  }

  /** The process running now; null while a restart is pending. */
  process(): P | null {
    return this.current
  }

  restartCount(): number {
    return this.restarts
  }

  /** Stops supervising, then the process; waits for a restart in progress to finish first. */
  async stop(): Promise<void> {
    this.stopping = true
    this.pause.wake()
    // A launch under way ends in stop() of what it started (see restart()); launches time out.
    if (this.restarting) await settlesWithin(this.restarting, 120_000)
    const p = this.current
    this.current = null
    await p?.stop()
  }

  private adopt(p: P): void {
    this.current = p
    const born = Date.now()
    void p.exited.then((e) => {
      if (this.stopping || this.current !== p) return
      this.current = null
      this.attempt = nextAttempt(this.attempt, Date.now() - born, this.opts.backoff ?? RESTART_BACKOFF)
      this.restarting = this.restart(p, e).finally(() => (this.restarting = null))
    })
  }

  private async restart(dead: P, e: ExitInfo): Promise<void> {
    const { name } = this.opts
    let why = `${name} (pid ${dead.pid}) ${describeExit(e)}`
    const more = await this.opts.explainDeath?.(dead).catch(() => null)
    if (more) why += `: ${more}`
    // Releases what the dead process held here: its state file, exit hook and watchdog.
    await settlesWithin(dead.stop(), 10_000)
    while (!this.stopping) {
      this.restarts++
      const delay = backoffDelay(this.attempt, this.opts.backoff ?? RESTART_BACKOFF, this.opts.random)
      this.say('error', `${why}; restarting it in ${seconds(delay)} (restart ${this.restarts})`)
      await this.pause.sleep(delay)
      if (this.stopping) return
      try {
        const p = await this.opts.launch()
        if (this.stopping) {
          await p.stop()
          return
        }
        this.adopt(p)
        this.say('info', `${name} is back on ${this.opts.where(p)} (pid ${p.pid})`)
        return
      } catch (err) {
        why = `${name} could not restart: ${(err as Error).message.split('\n')[0]}`
        this.attempt++
      }
    }
  }

  private say(level: AlertLevel, message: string): void {
    this.opts.notify({ service: this.opts.service, level, message, at: Date.now() })
  }
}
