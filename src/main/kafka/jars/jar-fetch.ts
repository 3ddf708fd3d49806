// Fetches the locked jars straight from a Maven repository over HTTPS. Each jar is written to
// <file>.part, checked against the lock, and only then renamed to its own name.
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { pipeline } from 'node:stream/promises'
import { jarUrl, type JarEntry, type JarLock } from './jar-lock'
import { JarIntegrityError, placeVerifiedJar } from './jar-verify'

export interface FetchOptions {
  repository: string
  onProgress?: (msg: string) => void
  /** Jars in flight at once. */
  concurrency?: number
  /** Abort a jar whose download sends nothing for this long. */
  stallMs?: number
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)

async function download(
  url: string,
  entry: JarEntry,
  path: string,
  stallMs: number,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<void> {
  const stall = new AbortController()
  let timer = setTimeout(() => stall.abort(), stallMs)
  const both = AbortSignal.any([signal, stall.signal])
  try {
    const res = await fetch(url, { signal: both })
    if (!res.ok || !res.body) {
      await res.body?.cancel() // frees the connection for the next jar
      throw new Error(`GET ${url}: HTTP ${res.status}`)
    }
    let received = 0
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done): void {
        received += chunk.length
        clearTimeout(timer)
        timer = setTimeout(() => stall.abort(), stallMs)
        // More bytes than pinned can only be the wrong file; stop reading it.
        if (received > entry.size)
          done(new JarIntegrityError(`${entry.file} is larger than the lock's ${entry.size} bytes: refused`))
        else {
          onBytes(chunk.length)
          done(null, chunk)
        }
      },
    })
    await pipeline(
      Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>),
      meter,
      createWriteStream(path),
      { signal: both },
    )
  } catch (err) {
    if (stall.signal.aborted && !signal.aborted)
      throw new Error(`GET ${url}: no data for ${stallMs / 1000} s`, { cause: err })
    // fetch says only "fetch failed"; the cause names the network error (ECONNREFUSED, ENOTFOUND, …).
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    if (err instanceof TypeError && cause)
      throw new Error(`GET ${url}: ${cause.code ?? cause.message}`, { cause: err })
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Downloads every jar of the lock into dir (which must exist), each verified before it gets its name.
 * The first failure stops the rest; JarIntegrityError means the repository served other bytes.
 */
export async function fetchJarSet(lock: JarLock, dir: string, opts: FetchOptions): Promise<void> {
  const progress = opts.onProgress ?? ((): void => {})
  const total = lock.jars.reduce((sum, j) => sum + j.size, 0)
  const count = lock.jars.length
  progress(`Fetching ${count} Kafka broker jars (${mb(total)} MB) from ${opts.repository}`)
  const abort = new AbortController()
  let next = 0
  let done = 0
  let bytes = 0
  let lastReport = Date.now()
  const onBytes = (n: number): void => {
    bytes += n
    // A slow link still hears something every few seconds, between the per-jar lines.
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now()
      progress(`  ${mb(bytes)}/${mb(total)} MB`)
    }
  }
  let failure: unknown
  const worker = async (): Promise<void> => {
    while (!abort.signal.aborted && next < count) {
      const entry = lock.jars[next++] as JarEntry
      const part = join(dir, `${entry.file}.part`)
      try {
        await download(
          jarUrl(opts.repository, entry),
          entry,
          part,
          opts.stallMs ?? 30_000,
          abort.signal,
          onBytes,
        )
        await placeVerifiedJar(part, entry, join(dir, entry.file))
      } catch (err) {
        await rm(part, { force: true })
        if (!abort.signal.aborted) {
          failure = err
          abort.abort()
        }
        return
      }
      done++
      lastReport = Date.now()
      progress(`  jar ${done}/${count} ${entry.file} (${mb(entry.size)} MB), ${mb(bytes)}/${mb(total)} MB`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, count) }, worker))
  if (failure !== undefined) throw failure
}
