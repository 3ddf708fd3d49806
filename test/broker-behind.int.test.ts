import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, inject } from 'vitest'
import { dispatch } from '../src/main/api/dispatch'
import { EventHub } from '../src/main/api/events'
import { createCore, type Core } from '../src/main/api/handlers'
import { resolveSettings } from '../src/main/config'
import type { LocalBrokerHandle, LocalBrokerOptions } from '../src/main/kafka/broker/local-broker'
import { startDashboardServer, type DashboardServer } from '../src/main/server/http-server'
import { startServices, type Services } from '../src/main/services'
import type { PipelineStatus } from '../src/shared/status'
import { fakeBuild, get } from './helpers/server-support'
import { waitFor } from './helpers/harness'
import { dropTestSchema, uniqueSchemaName } from './setup/test-database'

/**
 * A managed broker that answers when the test says: a stand-in for the JVM's seconds of start, in
 * front of the run's real broker. Each launch is counted, so Start's retry after a failure shows.
 */
function lateBroker(): {
  start: (o: LocalBrokerOptions) => Promise<LocalBrokerHandle>
  answer(): void
  fail(message: string): void
  launches: number
} {
  let settle: { answer(): void; fail(m: string): void } | null = null
  const broker = {
    launches: 0,
    start: (o: LocalBrokerOptions) =>
      new Promise<LocalBrokerHandle>((resolve, reject) => {
        broker.launches++
        o.onProgress?.('Formatting Kafka storage')
        settle = {
          answer: () =>
            resolve({
              bootstrap: inject('kafkaBrokers'),
              pid: process.pid,
              port: Number(inject('kafkaBrokers').split(':').at(-1)),
              clusterId: undefined,
              // the run broker's user; none (null) for a KAFKA_BROKERS cluster, which takes none
              sasl: inject('kafkaSasl') as LocalBrokerHandle['sasl'],
              exited: new Promise(() => undefined),
              stop: async () => undefined,
            }),
          fail: (m) => reject(new Error(`${m}\n<log tail>`)),
        }
      }),
    answer: () => settle!.answer(),
    fail: (m: string) => settle!.fail(m),
  }
  return broker
}

// The faces serve stored data as soon as PostgreSQL is ready; the broker comes up behind.
describe('the dashboard before the broker answers', () => {
  const schema = uniqueSchemaName('behind')
  const cleanups: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
    await dropTestSchema(schema)
  })

  async function open(broker: ReturnType<typeof lateBroker>): Promise<{
    services: Services
    core: Core
    statuses: PipelineStatus[]
  }> {
    const dir = await mkdtemp(join(tmpdir(), 'tickflow-behind-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const settings = resolveSettings(
      { databaseUrl: inject('databaseUrl'), pgSchema: schema, topic: `behind-${schema}`, dataDir: dir },
      {},
    )
    const services = await startServices(settings, { startBroker: broker.start })
    const events = new EventHub()
    const statuses: PipelineStatus[] = []
    events.on('status', (s) => statuses.push(s))
    const core = createCore(services, events)
    cleanups.push(() => core.shutdown())
    return { services, core, statuses }
  }

  it('serves the page and stored KPIs, and a Start waits for the broker saying so', async () => {
    const broker = lateBroker()
    const { services, core, statuses } = await open(broker)
    expect(broker.launches).toBe(1)
    expect(services.broker.state()).toEqual({ state: 'starting', detail: 'Formatting Kafka storage' })

    const build = await fakeBuild()
    cleanups.push(build.cleanup)
    const server: DashboardServer = await startDashboardServer({ core, rendererDir: build.rendererDir })
    cleanups.push(() => server.close())
    const page = await get(server.port, '/', { Cookie: `tickflow_token=${server.token}` })
    expect(page.status).toBe(200)
    const to = Date.now()
    const snap = await dispatch(core, 'kpiSnapshot', { from: to - 300_000, to })
    expect(snap).toMatchObject({ from: to - 300_000, to, totalTrades: 0 })
    const idle = (await dispatch(core, 'getStatus', undefined)) as PipelineStatus
    expect(idle.state).toBe('stopped')
    expect(idle.kafka).toMatchObject({ state: 'starting', bootstrap: '', managed: true })
    expect(await dispatch(core, 'testConnection', { kind: 'kafka', brokers: '127.0.0.1:9092' })).toEqual({
      ok: false,
      message: 'starting Kafka… (Formatting Kafka storage)',
    })

    const started = dispatch(core, 'startPipeline', { source: 'demo', symbols: ['AAPL'] })
    await waitFor(
      'a status that says Start waits for Kafka',
      async () => statuses.at(-1),
      (s) => s?.state === 'starting',
    )
    expect(statuses.at(-1)!.detail).toBe('starting Kafka… (Formatting Kafka storage)')
    await expect(dispatch(core, 'startPipeline', { source: 'demo', symbols: ['AAPL'] })).rejects.toThrow(
      /already running/,
    )

    broker.answer()
    expect(((await started) as PipelineStatus).state).toBe('running')
    const running = (await dispatch(core, 'getStatus', undefined)) as PipelineStatus
    expect(running.kafka).toMatchObject({
      state: 'ready',
      bootstrap: expect.stringContaining(inject('kafkaBrokers')),
    })
    await dispatch(core, 'stopPipeline', undefined)
  })

  it('lets Stop end a start that waits for the broker, and starts nothing once it answers', async () => {
    const broker = lateBroker()
    const { core, statuses } = await open(broker)
    const started = dispatch(core, 'startPipeline', { source: 'demo', symbols: ['AAPL'] })
    await waitFor(
      'a start that waits for Kafka',
      async () => statuses.at(-1)?.state,
      (s) => s === 'starting',
    )
    const stopped = (await dispatch(core, 'stopPipeline', undefined)) as PipelineStatus
    await expect(started).rejects.toThrow('stopped while Kafka was starting: the pipeline did not start')
    expect(stopped.state).toBe('stopped')
    broker.answer()
    await waitFor(
      'the broker up in the status',
      async () => statuses.at(-1)?.kafka.state,
      (s) => s === 'ready',
    )
    expect(core.pipeline()).toBeNull()
    expect(statuses.at(-1)!.state).toBe('stopped')
  })

  it('shows a broker that failed to start in the status and a notice, and Start tries it again', async () => {
    const broker = lateBroker()
    const { services, core, statuses } = await open(broker)
    const alerts: string[] = []
    services.onNotice((n) => alerts.push(n.message))
    broker.fail('Kafka broker on 127.0.0.1:9092 exited during startup: Address already in use')
    await services.broker.settled()
    await waitFor(
      'the failure in the status',
      async () => statuses.at(-1)?.kafka,
      (k) => k?.state === 'failed',
    )
    expect(statuses.at(-1)!.kafka.detail).toBe(
      'Kafka broker on 127.0.0.1:9092 exited during startup: Address already in use',
    )
    expect(alerts).toEqual([
      'The Kafka broker could not start: Kafka broker on 127.0.0.1:9092 exited during startup: Address already in use',
    ])
    expect(
      await dispatch(core, 'testConnection', { kind: 'kafka', brokers: 'localhost:9092' }),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^the Kafka broker could not start: .*Address already in use$/),
    })

    // Start launches it again, and says so when that fails too.
    const again = dispatch(core, 'startPipeline', { source: 'demo', symbols: ['AAPL'] })
    await waitFor(
      'a second launch',
      async () => broker.launches,
      (n) => n === 2,
    )
    broker.fail('Java 17+ not found')
    await expect(again).rejects.toThrow('the Kafka broker could not start: Java 17+ not found')
    expect(((await dispatch(core, 'getStatus', undefined)) as PipelineStatus).state).toBe('stopped')
  })
})
