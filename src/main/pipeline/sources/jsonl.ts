import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'

/**
 * The recording format: one JSON line per frame, `{"receivedAt": ms, "raw": "<exact frame text>"}`.
 * The raw text is kept verbatim (not parsed), so malformed frames replay exactly as they arrived.
 */

export interface RecordedFrame {
  /** ms epoch at which our process received the frame */
  receivedAt: number
  raw: string
}

export function encodeFrameLine(raw: string, receivedAt: number): string {
  return `${JSON.stringify({ receivedAt, raw })}\n`
}

/** The frame a line holds, or undefined when the line is not of that shape. */
export function decodeFrameLine(line: string): RecordedFrame | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { raw, receivedAt } = value as Partial<RecordedFrame>
  if (typeof raw !== 'string' || typeof receivedAt !== 'number' || !Number.isFinite(receivedAt))
    return undefined
  return { raw, receivedAt }
}

export interface FileLine {
  /** the line without its end (\n or \r\n) */
  line: string
  /** bytes the line took in the file, end included */
  bytes: number
}

/** Streams a file's lines without loading it whole (recordings may hold millions of frames). */
export async function* readLines(path: string, signal?: AbortSignal): AsyncGenerator<FileLine> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal })
  let rest: Buffer | undefined
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk
    let start = 0
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl
      yield { line: buf.toString('utf8', start, end), bytes: nl + 1 - start }
      start = nl + 1
    }
    rest = start < buf.length ? buf.subarray(start) : undefined
  }
  if (rest) {
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length
    yield { line: rest.toString('utf8', 0, end), bytes: rest.length }
  }
}

/**
 * Writes frames as a JSONL recording, honouring the file's backpressure. For fixtures and the
 * benchmark; `lines` may also be raw strings, written as-is (to plant malformed lines).
 */
export async function writeFrameFile(
  path: string,
  frames: Iterable<RecordedFrame | { line: string }> | AsyncIterable<RecordedFrame | { line: string }>,
): Promise<{ frames: number; bytes: number }> {
  const out = createWriteStream(path)
  const failed = once(out, 'error').then(([err]) => Promise.reject(err as Error))
  failed.catch(() => undefined) // only marks it handled: the writes below race it and see the error
  let batch = ''
  let count = 0
  let bytes = 0
  const flush = async (): Promise<void> => {
    bytes += Buffer.byteLength(batch)
    const ok = out.write(batch)
    batch = ''
    if (!ok) await Promise.race([once(out, 'drain'), failed])
  }
  for await (const f of frames) {
    batch += 'line' in f ? `${f.line}\n` : encodeFrameLine(f.raw, f.receivedAt)
    count++
    if (batch.length >= 1 << 16) await flush()
  }
  await flush()
  out.end()
  await Promise.race([once(out, 'finish'), failed])
  return { frames: count, bytes }
}
