import type pg from 'pg'
import type { Reject } from '../../shared/trade'
import { insertRejects } from '../postgres/rejects'

/**
 * Stores the source's rejects (frames that could not be parsed or validated). They are rare, so
 * they are gathered for a moment and written in one statement, off the trade path. While the
 * database is down they wait here, up to a bound; anything beyond it is counted as dropped.
 */
export class RejectSink {
  private queue: Reject[] = []
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  stored = 0
  dropped = 0
  lastError: string | null = null

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: { capacity?: number; delayMs?: number; onError?: (m: string) => void } = {},
  ) {}

  add(reject: Reject): void {
    if (this.queue.length >= (this.opts.capacity ?? 10_000)) {
      this.dropped++
      return
    }
    this.queue.push(reject)
    this.timer ??= setTimeout(() => void this.flush(), this.opts.delayMs ?? 200)
  }

  get pending(): number {
    return this.queue.length
  }

  /** Writes what is queued; serialised so two flushes never race. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.writing = this.writing.then(() => this.writeQueued())
    return this.writing
  }

  /** Last flush before shutdown; what still cannot be written is counted as dropped. */
  async close(): Promise<void> {
    await this.flush()
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.dropped += this.queue.splice(0).length
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue.splice(0)
    if (batch.length === 0) return
    try {
      const client = await this.pool.connect()
      try {
        this.stored += await insertRejects(client, batch)
      } finally {
        client.release()
      }
      this.lastError = null
    } catch (err) {
      this.lastError = `could not store rejects: ${(err as Error).message}`
      this.opts.onError?.(this.lastError)
      this.queue.unshift(...batch)
      this.timer ??= setTimeout(() => void this.flush(), 2_000)
    }
  }
}
