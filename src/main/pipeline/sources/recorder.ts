import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { encodeFrameLine } from './jsonl'
import type { FrameSink } from './source'

export interface RecorderOptions {
  /** append to an existing recording instead of replacing it */
  append?: boolean
  /** Lines waiting for the disk beyond this are dropped and counted: a live feed cannot wait. */
  maxBufferedBytes?: number
  onError?: (err: Error) => void
}

export interface RecorderStats {
  lines: number
  bytes: number
  /** lines not recorded because the disk fell behind, the file failed, or the recorder was closed */
  dropped: number
  error?: string
}

export interface Recorder extends FrameSink {
  readonly path: string
  stats(): RecorderStats
  /** Writes what is buffered and closes the file. */
  close(): Promise<void>
}

const HIGH_WATER = 1 << 20

/**
 * A FrameSink tap: records every frame to JSONL, then passes it downstream unchanged. Lines are
 * batched per event-loop turn; frame() returns false while the file (or downstream) is congested,
 * so a replay that records waits, while a live source goes on and overflow is counted.
 */
export function createRecorder(path: string, downstream?: FrameSink, opts: RecorderOptions = {}): Recorder {
  const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024
  const out: WriteStream = createWriteStream(path, {
    flags: opts.append ? 'a' : 'w',
    highWaterMark: HIGH_WATER,
  })
  const stats: RecorderStats = { lines: 0, bytes: 0, dropped: 0 }
  let pending: string[] = []
  let pendingChars = 0
  let scheduled = false
  let closed = false
  let failed = false

  out.on('error', (err) => {
    failed = true
    stats.error = err.message
    stats.lines -= pending.length
    stats.dropped += pending.length
    pending = []
    pendingChars = 0
    opts.onError?.(err)
  })

  const flush = (): void => {
    scheduled = false
    if (pending.length === 0 || failed) return
    const text = pending.join('')
    const count = pending.length
    const bytes = Buffer.byteLength(text)
    pending = []
    pendingChars = 0
    stats.bytes += bytes
    out.write(text, (err) => {
      // Lines the file never took are not recorded: count them as dropped.
      if (!err) return
      stats.lines -= count
      stats.bytes -= bytes
      stats.dropped += count
    })
  }

  const congested = (): boolean => out.writableNeedDrain || pendingChars >= HIGH_WATER

  return {
    path,
    frame(raw: string, receivedAt: number): boolean {
      if (closed || failed || out.writableLength + pendingChars > maxBuffered) {
        stats.dropped++
      } else {
        const line = encodeFrameLine(raw, receivedAt)
        pending.push(line)
        pendingChars += line.length
        stats.lines++
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      }
      const downstreamOk = downstream ? downstream.frame(raw, receivedAt) : true
      return downstreamOk && !congested()
    },
    async drain(): Promise<void> {
      if (pendingChars >= HIGH_WATER) flush()
      const waits: Promise<unknown>[] = []
      if (downstream) waits.push(downstream.drain())
      if (out.writableNeedDrain && !failed) waits.push(once(out, 'drain').catch(() => undefined)) // an error ends the wait too
      await Promise.all(waits)
    },
    stats: () => ({ ...stats }),
    async close(): Promise<void> {
      if (closed) return
      closed = true
      flush()
      if (failed || out.destroyed) return
      const done = once(out, 'finish').catch(() => undefined) // a failed file is reported in stats
      out.end()
      await done
    },
  }
}
