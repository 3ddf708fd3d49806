import type { ApiHandlers, CommandRequest } from '../../shared/contract'
import type { PipelineStatus } from '../../shared/status'
import { MAX_SYMBOLS } from '../../shared/symbols'
import { exportTradesCsv } from '../export/csv'
import { kpiSnapshot } from '../kpi/snapshot'
import { Pipeline } from '../pipeline/pipeline'
import { createSource } from '../pipeline/sources/create-source'
import { redactUrl } from '../postgres/database'
import { getThresholds, setThreshold } from '../postgres/thresholds'
import type { Services } from '../services'
import { ApiRequestError } from './dispatch'
import type { EventHub } from './events'

export interface Core extends ApiHandlers {
  /** the running pipeline, if any (the CLI reads it for its status line) */
  pipeline(): Pipeline | null
  /** stops the pipeline (draining it) and releases the services */
  shutdown(): Promise<void>
}

/**
 * The API handlers: plain functions over the services, the same for every face. Requests arrive
 * here already validated against the contract's schemas.
 */
export function createCore(services: Services, events: EventHub): Core {
  const { settings, db } = services
  let pipeline: Pipeline | null = null
  // What to subscribe to at the next start; while running it mirrors the source.
  let symbols = [...settings.symbols]

  // Where the data goes, as status shows it (the database without its password).
  const describe: Pick<PipelineStatus, 'kafka' | 'postgres'> = {
    kafka: { bootstrap: services.kafkaTarget, managed: services.kafkaManaged, topic: settings.topic },
    postgres: { target: redactUrl(db.url), embedded: db.embedded },
  }

  const idleStatus = (): PipelineStatus => ({
    state: 'stopped',
    detail: null,
    source: null,
    symbols,
    counters: {
      received: 0,
      produced: 0,
      dropped: 0,
      buffered: 0,
      consumed: 0,
      written: 0,
      duplicates: 0,
      rejected: 0,
    },
    rates: { received: 0, written: 0 },
    lag: null,
    ...describe,
    at: Date.now(),
  })

  // The data-loss KPI compares against this threshold, so it follows the subscription.
  const syncSubscribedThreshold = async (): Promise<void> => {
    await setThreshold(db.pool, 'symbols_subscribed', Math.max(1, Math.min(symbols.length, MAX_SYMBOLS)))
  }

  const status = (): PipelineStatus => pipeline?.status() ?? idleStatus()

  const handlers: ApiHandlers = {
    async startPipeline(req: CommandRequest<'startPipeline'>) {
      const current = pipeline?.status().state
      if (current && current !== 'stopped' && current !== 'failed')
        throw new ApiRequestError('the pipeline is already running; stop it first')
      symbols = [...req.symbols]
      const source = await createSource({
        ...settings,
        source: req.source,
        symbols,
        replayFile: req.replayFile ?? settings.replayFile,
        speed: req.speed ?? settings.speed,
      })
      const p = new Pipeline({
        kafka: services.kafka,
        pool: db.pool,
        connection: services.kafkaConnection,
        database: { url: db.url, schema: db.schema },
        source,
        topic: settings.topic,
        partitions: settings.partitions,
        groupId: settings.groupId,
        bufferCapacity: settings.bufferCapacity,
        recordFile: settings.recordFile,
        describe,
      })
      p.onStatus((s) => events.emit('status', s))
      p.onAlert((a) => events.emit('alert', a))
      pipeline = p
      await syncSubscribedThreshold()
      await p.start()
      return p.status()
    },

    async stopPipeline() {
      await pipeline?.stop()
      return status()
    },

    async getStatus() {
      return status()
    },

    async subscribe({ symbol }) {
      if (symbols.includes(symbol)) return symbols
      if (symbols.length >= MAX_SYMBOLS)
        throw new ApiRequestError(`at most ${MAX_SYMBOLS} symbols per connection`, 'symbol')
      pipeline?.source.subscribe(symbol)
      symbols = [...symbols, symbol]
      await syncSubscribedThreshold()
      return symbols
    },

    async unsubscribe({ symbol }) {
      if (!symbols.includes(symbol)) throw new ApiRequestError(`not subscribed to ${symbol}`, 'symbol')
      if (symbols.length === 1)
        throw new ApiRequestError('keep at least one symbol; stop the pipeline instead', 'symbol')
      pipeline?.source.unsubscribe(symbol)
      symbols = symbols.filter((s) => s !== symbol)
      await syncSubscribedThreshold()
      return symbols
    },

    async getThresholds() {
      return getThresholds(db.pool)
    },

    async setThreshold({ id, value }) {
      await setThreshold(db.pool, id, value)
      return getThresholds(db.pool)
    },

    async kpiSnapshot(req) {
      return kpiSnapshot(db.pool, req)
    },

    async exportCsv(req) {
      return exportTradesCsv(db.pool, req)
    },
  }

  return {
    ...handlers,
    pipeline: () => pipeline,
    async shutdown() {
      await pipeline?.stop()
      await services.close()
    },
  }
}
