import { DEFAULT_SYMBOLS } from '../../../shared/symbols'
import { FinnhubClient, type FinnhubClientOptions } from './finnhub-client'
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator'
import type { FrameSink, SourceStatus, TradeSource } from './source'

export interface DemoSourceOptions {
  symbols?: string[]
  /** Simulator settings; the port is always a free one on 127.0.0.1. */
  simulator?: Omit<SimulatorOptions, 'port' | 'host'>
  client?: Omit<FinnhubClientOptions, 'url' | 'token' | 'symbols' | 'kind'>
}

/** Realistic defaults: bursts of several trades, several frames per second. */
export const DEMO_DEFAULTS: SimulatorOptions = {
  tradesPerSecond: 25,
  tradesPerFrame: [2, 8],
  pingIntervalMs: 15_000,
}

/**
 * The Demo source: our Finnhub simulator on a free local port plus the real Finnhub client, so the
 * demo exercises the same code path as live data. No token needed.
 */
export class DemoSource implements TradeSource {
  readonly kind = 'demo' as const
  private readonly client: FinnhubClient
  private sim?: Simulator

  constructor(private readonly opts: DemoSourceOptions = {}) {
    // The real URL is known only once the simulator listens; start() sets it.
    this.client = new FinnhubClient({
      ...opts.client,
      url: 'ws://127.0.0.1:0',
      symbols: opts.symbols ?? DEFAULT_SYMBOLS,
      kind: 'demo',
    })
  }

  /** The running simulator, for the benchmark and tests (rate changes, fault injection). */
  simulator(): Simulator | undefined {
    return this.sim
  }

  async start(sink: FrameSink): Promise<void> {
    if (this.sim) throw new Error('source already started')
    const sim = await startSimulator({
      seed: Date.now() % 2 ** 31,
      ...DEMO_DEFAULTS,
      ...this.opts.simulator,
      port: 0,
    })
    this.sim = sim
    this.client.setEndpoint(sim.url)
    await this.client.start(sink)
  }

  async stop(): Promise<void> {
    await this.client.stop()
    const sim = this.sim
    this.sim = undefined
    await sim?.stop()
  }

  subscribe(symbol: string): void {
    this.client.subscribe(symbol)
  }

  unsubscribe(symbol: string): void {
    this.client.unsubscribe(symbol)
  }

  symbols(): string[] {
    return this.client.symbols()
  }

  status(): SourceStatus {
    return this.client.status()
  }

  onStatus(listener: (s: SourceStatus) => void): () => void {
    return this.client.onStatus(listener)
  }
}
