import { DemoSource } from './demo-source'
import { FinnhubClient } from './finnhub-client'
import { ReplaySource, type ReplaySpeed } from './replay'
import type { SourceKind, TradeSource } from './source'

export interface CreateSourceOptions {
  source: SourceKind
  symbols: string[]
  finnhubUrl?: string
  finnhubToken?: string
  replayFile?: string
  speed?: ReplaySpeed
  /** trades per second the Demo simulator offers */
  demoRate?: number
  /** token-free log lines from the live client */
  log?: (line: string) => void
}

/** Builds the source the settings ask for. Throws, in words, for settings that cannot work. */
export async function createSource(opts: CreateSourceOptions): Promise<TradeSource> {
  switch (opts.source) {
    case 'finnhub':
      if (!opts.finnhubToken) throw new Error('the Finnhub source needs an API token (FINNHUB_TOKEN)')
      return new FinnhubClient({
        url: opts.finnhubUrl,
        token: opts.finnhubToken,
        symbols: opts.symbols,
        log: opts.log,
      })
    case 'demo':
      return new DemoSource({
        symbols: opts.symbols,
        simulator: opts.demoRate === undefined ? undefined : { tradesPerSecond: opts.demoRate },
        client: { log: opts.log },
      })
    case 'replay':
      if (!opts.replayFile) throw new Error('the replay source needs a recording file (--replay-file)')
      return new ReplaySource({ path: opts.replayFile, speed: opts.speed, symbols: opts.symbols })
  }
}
