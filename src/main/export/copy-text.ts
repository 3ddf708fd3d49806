import { Transform, type TransformCallback } from 'node:stream'

/**
 * Reads PostgreSQL's `COPY … TO STDOUT` text format: one row per line ending in \n, fields split by
 * a tab, NULL as \N, and backslash escapes for a backslash, tab, newline, CR and the other control
 * characters. COPY's own CSV would be simpler to pass on, but we write the CSV ourselves (see
 * csv-writer.ts), and the text format is the one that round-trips every value without quoting rules.
 */

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** One field's value: null for \N, backslash sequences undone. */
export function decodeCopyField(raw: string): string | null {
  if (raw === '\\N') return null
  if (!raw.includes('\\')) return raw
  // COPY TO never writes octal or hex sequences, but COPY's grammar has them, so read them too.
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (_m, e: string) => {
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16))
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8))
    return ESCAPES[e] ?? e
  })
}

/** One line (without its \n) as its fields. */
export function decodeCopyLine(line: string): (string | null)[] {
  return line.split('\t').map(decodeCopyField)
}

export interface CopyTextDecoderOptions<T> {
  /** turns a row's fields into the record passed downstream (typing the numeric columns, say) */
  map: (fields: (string | null)[]) => T
  /** called with the rows decoded so far, every `progressEvery` rows and at the end */
  onProgress?: (rows: number) => void
  progressEvery?: number
}

/**
 * Bytes of a COPY text stream in, one record per row out. Chunks split rows anywhere, so the tail
 * after the last \n waits for the next chunk; \n never occurs inside a UTF-8 sequence, so cutting
 * the bytes there is safe.
 */
export class CopyTextDecoder<T> extends Transform {
  private tail: Buffer = Buffer.alloc(0)
  private count = 0
  private reported = 0
  private readonly progressEvery: number

  constructor(private readonly opts: CopyTextDecoderOptions<T>) {
    // Few records buffered: memory stays flat however many rows the COPY sends.
    super({ readableObjectMode: true, readableHighWaterMark: 256 })
    this.progressEvery = opts.progressEvery ?? 10_000
  }

  /** rows decoded so far */
  get rows(): number {
    return this.count
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk
      const end = data.lastIndexOf(10)
      if (end < 0) {
        this.tail = data
        return done()
      }
      this.tail = data.subarray(end + 1)
      const lines = data.toString('utf8', 0, end).split('\n')
      for (const line of lines) this.emitRow(line)
      done()
    } catch (err) {
      done(err as Error)
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      // COPY ends every row with \n; a tail here means the stream was cut off mid-row.
      if (this.tail.length > 0) throw new Error('the COPY stream ended in the middle of a row')
      this.opts.onProgress?.(this.count)
      done()
    } catch (err) {
      done(err as Error)
    }
  }

  private emitRow(line: string): void {
    this.push(this.opts.map(decodeCopyLine(line)))
    this.count++
    if (this.count - this.reported >= this.progressEvery) {
      this.reported = this.count
      this.opts.onProgress?.(this.count)
    }
  }
}
