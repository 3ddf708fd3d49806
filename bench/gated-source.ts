import type {
  FrameSink,
  SourceStatus,
  StatusListener,
  TradeSource,
} from '../src/main/pipeline/sources/source'

/**
 * Lets the Pipeline start (topic, producer, consumer) while holding the real source back until
 * open() is called, so the e2e clock starts with the data and not with the consumer group join.
 */
export class GatedSource implements TradeSource {
  readonly kind: TradeSource['kind']
  private sink: FrameSink | null = null

  constructor(private readonly inner: TradeSource) {
    this.kind = inner.kind
  }

  get finished(): Promise<void> | undefined {
    return this.inner.finished
  }

  async start(sink: FrameSink): Promise<void> {
    this.sink = sink
  }

  async open(): Promise<void> {
    if (!this.sink) throw new Error('the pipeline has not started the source')
    await this.inner.start(this.sink)
  }

  stop(): Promise<void> {
    return this.inner.stop()
  }

  subscribe(symbol: string): void {
    this.inner.subscribe(symbol)
  }

  unsubscribe(symbol: string): void {
    this.inner.unsubscribe(symbol)
  }

  symbols(): string[] {
    return this.inner.symbols()
  }

  status(): SourceStatus {
    return this.inner.status()
  }

  onStatus(listener: StatusListener): () => void {
    return this.inner.onStatus(listener)
  }
}
