import WebSocket from 'ws'
import { MAX_SYMBOLS, symbolSchema } from '../../../shared/symbols'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../base/backoff'
import { redactUrl } from '../../log/redact'
import { StatusHub, type FrameSink, type SourceKind, type SourceStatus, type TradeSource } from './source'

export const FINNHUB_URL = 'wss://ws.finnhub.io'

export interface FinnhubClientOptions {
  /** WebSocket endpoint; a `token` query parameter in it is used when `token` is not given. */
  url?: string
  token?: string
  symbols?: string[]
  /** 'demo' when the endpoint is our simulator */
  kind?: SourceKind
  backoff?: Partial<BackoffOptions>
  /** No frame at all (Finnhub pings regularly) for this long means a dead connection. 0 disables. */
  idleTimeoutMs?: number
  handshakeTimeoutMs?: number
  maxSymbols?: number
  /** Receives plain-words log lines, already scrubbed of the token. */
  log?: (line: string) => void
  random?: () => number
}

/** Settings error: the caller must fix the URL, so this throws (without the token in the message). */
export function buildFinnhubUrl(url: string, token?: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error(`Invalid Finnhub URL: ${redactUrl(url)}`)
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new Error(`Finnhub URL must be ws:// or wss://: ${redactUrl(url)}`)
  if (token !== undefined && token !== '') u.searchParams.set('token', token)
  return u.toString()
}

const FATAL_HTTP: Record<number, string> = {
  401: 'Finnhub refused the API token (HTTP 401)',
  403: 'Finnhub refused access for this API token (HTTP 403)',
}

/**
 * The live Finnhub source. Passes every text frame to the sink unparsed; never waits on the sink
 * (a live feed cannot pause: the downstream buffer counts what it must drop).
 */
export class FinnhubClient implements TradeSource {
  readonly kind: SourceKind
  private url: string
  private secrets: string[]
  private readonly subs: Set<string>
  private readonly hub: StatusHub
  private readonly backoff: BackoffOptions
  private sink?: FrameSink
  private ws?: WebSocket
  private running = false
  private failures = 0
  private opens = 0
  private frames = 0
  private retryTimer?: NodeJS.Timeout
  private idleTimer?: NodeJS.Timeout
  private settleStart?: () => void

  constructor(private readonly opts: FinnhubClientOptions = {}) {
    this.kind = opts.kind ?? 'finnhub'
    this.url = ''
    this.secrets = []
    this.setEndpoint(opts.url ?? FINNHUB_URL, opts.token)
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
    this.subs = new Set()
    for (const s of opts.symbols ?? []) this.addSymbol(s)
    this.hub = new StatusHub(this.kind, [...this.subs])
  }

  /** Changes the endpoint while stopped (the Demo source learns its simulator's port only at start). */
  setEndpoint(url: string, token?: string): void {
    if (this.running) throw new Error('cannot change the endpoint of a running source')
    this.url = buildFinnhubUrl(url, token)
    const secret = token || new URL(this.url).searchParams.get('token') || ''
    // The token as given and as it may appear percent- or form-encoded inside a URL.
    this.secrets = secret
      ? [
          ...new Set([
            secret,
            encodeURIComponent(secret),
            new URLSearchParams({ t: secret }).toString().slice(2),
          ]),
        ]
      : []
  }

  /** Resolves once the first connection attempt has settled (open, retrying or failed). */
  start(sink: FrameSink): Promise<void> {
    if (this.running) return Promise.reject(new Error('source already started'))
    this.running = true
    this.sink = sink
    this.failures = 0
    return new Promise<void>((resolve) => {
      this.settleStart = resolve
      this.connect()
    })
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    clearTimeout(this.retryTimer)
    this.clearIdle()
    const ws = this.ws
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client stopping')
      else ws.terminate()
      const force = setTimeout(() => ws.terminate(), 2_000)
      await closed
      clearTimeout(force)
    }
    this.ws = undefined
    this.setStatus({ state: 'closed', detail: 'stopped' })
    this.settle()
  }

  subscribe(symbol: string): void {
    if (this.subs.has(symbol)) return
    this.addSymbol(symbol)
    this.send({ type: 'subscribe', symbol })
    this.setStatus({ symbols: [...this.subs] })
  }

  unsubscribe(symbol: string): void {
    if (!this.subs.delete(symbol)) return
    this.send({ type: 'unsubscribe', symbol })
    this.setStatus({ symbols: [...this.subs] })
  }

  symbols(): string[] {
    return [...this.subs]
  }

  status(): SourceStatus {
    return this.hub.get(this.frames)
  }

  onStatus(listener: (s: SourceStatus) => void): () => void {
    return this.hub.on(listener)
  }

  private addSymbol(symbol: string): void {
    const checked = symbolSchema.safeParse(symbol)
    if (!checked.success)
      throw new Error(`Invalid symbol ${JSON.stringify(symbol)}: ${checked.error.issues[0]?.message}`)
    const max = this.opts.maxSymbols ?? MAX_SYMBOLS
    if (this.subs.size >= max) throw new Error(`At most ${max} symbols per Finnhub connection`)
    this.subs.add(symbol)
  }

  private connect(): void {
    const reconnecting = this.opens > 0 || this.failures > 0
    this.setStatus({
      state: reconnecting ? 'reconnecting' : 'connecting',
      detail: `connecting to ${redactUrl(this.url)}${reconnecting ? ` (attempt ${this.failures + 1})` : ''}`,
    })
    const ws = new WebSocket(this.url, { handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000 })
    this.ws = ws
    let httpStatus: number | undefined
    let lastError: string | undefined
    let openedAt = 0
    let gotFrame = false

    ws.on('unexpected-response', (_req, res) => {
      httpStatus = res.statusCode
      res.resume()
      ws.terminate()
    })
    ws.on('error', (err) => {
      lastError = this.scrub(err.message)
    })
    ws.on('open', () => {
      openedAt = Date.now()
      this.opens++
      // Everything subscribed so far, including symbols added while disconnected.
      for (const symbol of this.subs) this.send({ type: 'subscribe', symbol })
      this.armIdle(ws)
      this.setStatus({
        state: 'open',
        detail: `connected to ${redactUrl(this.url)}`,
        reconnects: this.opens - 1,
      })
      this.settle()
    })
    ws.on('message', (data, isBinary) => {
      gotFrame = true
      this.armIdle(ws)
      this.frames++
      const raw = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()
      this.sink?.frame(raw, Date.now())
    })
    ws.on('close', (code) => {
      this.clearIdle()
      if (this.ws === ws) this.ws = undefined
      if (!this.running) return
      const fatal = httpStatus === undefined ? undefined : FATAL_HTTP[httpStatus]
      if (fatal) {
        this.log(fatal)
        this.running = false
        this.setStatus({ state: 'failed', detail: fatal })
        this.settle()
        return
      }
      // A connection that carried data, or lasted, was healthy: start the backoff over.
      if (openedAt > 0 && (gotFrame || Date.now() - openedAt > 10_000)) this.failures = 0
      this.failures++
      const delay = backoffDelay(this.failures, this.backoff, this.opts.random)
      const why =
        httpStatus !== undefined
          ? `HTTP ${httpStatus} at the handshake`
          : openedAt > 0
            ? `connection lost (code ${code})`
            : `could not connect${lastError ? `: ${lastError}` : ''}`
      const detail = `${why}; retrying in ${(delay / 1000).toFixed(1)} s`
      this.log(detail)
      this.setStatus({ state: 'reconnecting', detail })
      this.settle()
      this.retryTimer = setTimeout(() => {
        if (this.running) this.connect()
      }, delay)
    })
  }

  private send(msg: { type: 'subscribe' | 'unsubscribe'; symbol: string }): void {
    const ws = this.ws
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg))
  }

  private armIdle(ws: WebSocket): void {
    const ms = this.opts.idleTimeoutMs ?? 60_000
    if (ms <= 0) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.log(`no frame for ${ms} ms; reconnecting`)
      ws.terminate()
    }, ms)
  }

  private clearIdle(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }

  private settle(): void {
    const resolve = this.settleStart
    this.settleStart = undefined
    resolve?.()
  }

  private setStatus(patch: Partial<Omit<SourceStatus, 'kind' | 'frames'>>): void {
    if (patch.detail !== undefined) patch = { ...patch, detail: this.scrub(patch.detail) }
    this.hub.set(patch, this.frames)
  }

  private scrub(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('***')
    return out
  }

  private log(line: string): void {
    this.opts.log?.(this.scrub(`[${this.kind}] ${line}`))
  }
}
