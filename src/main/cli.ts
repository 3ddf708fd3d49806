import type { PipelineStatus } from '../shared/status'
import { createCore, type Core } from './api/handlers'
import { EventHub } from './api/events'
import type { Settings } from './config'
import { runFace } from './face'
import { createServices } from './services'

const USAGE = `Usage: npm run pipeline -- [options]
  --source demo|finnhub|replay   where trades come from (default demo; finnhub needs FINNHUB_TOKEN)
  --symbols "AAPL,AMZN,…"        symbols to subscribe to (default the assignment's four)
  --replay-file FILE             JSONL recording to replay (--source replay)
  --speed 1|N|max                replay speed (default 1)
  --record FILE                  also record the received frames to a JSONL file
  --demo-rate N                  trades per second from the Demo simulator (default 40)
  --finnhub-url URL              Finnhub WebSocket endpoint (default wss://ws.finnhub.io)
  --brokers host:port,…          an existing Kafka cluster (default: run a local broker)
  --kafka-port N                 port of the local broker (default 9092, or a free one)
  --topic NAME                   Kafka topic (default trades)
  --partitions N                 partitions when the topic is created (default 3)
  --database-url URL             an external PostgreSQL (default: embedded; or DATABASE_URL)
  --schema NAME                  PostgreSQL schema (default public)
  --data-dir DIR                 where embedded Postgres, the broker and settings.json live
  --duration SECONDS             drain and exit after this long`

/** One line a few seconds: what flows, what waits, what went wrong. */
export function formatStatus(s: PipelineStatus): string {
  const c = s.counters
  const src = s.source ? `${s.source.kind} ${s.source.state}` : 'no source'
  return [
    new Date(s.at).toISOString().slice(11, 19) + 'Z',
    `${s.state} (${src})`,
    `recv ${Math.round(s.rates.received)}/s`,
    `written ${Math.round(s.rates.written)}/s`,
    `lag ${s.lag ?? '?'}`,
    `rows ${c.written}`,
    `rejects ${c.rejected}`,
    `dropped ${c.dropped}`,
    // The writer joins its group in the background; until it runs, the rows wait in Kafka.
    ...(s.state === 'running' && s.consumer.state !== 'running' ? [`writer ${s.consumer.state}`] : []),
    ...(s.consumer.restarts > 0 ? [`consumer restarts ${s.consumer.restarts}`] : []),
  ].join(' · ')
}

async function run(settings: Settings): Promise<void> {
  // Signals from the start: an interrupt while the broker and database come up still stops them.
  // The services run in process groups of their own, so a terminal's Ctrl-C reaches only this
  // process, which drains the pipeline first and then stops them (core.shutdown).
  let interrupted: string | null = null
  const signalled = new Promise<string>((resolve) => {
    const on = (name: string) => (): void => {
      if (interrupted) process.exit(130) // a second signal while draining means "now"
      interrupted = name
      resolve(name)
    }
    process.on('SIGINT', on('interrupted'))
    process.on('SIGTERM', on('terminated'))
  })

  const events = new EventHub()
  const services = await createServices(settings, { onProgress: (m) => console.error(`… ${m}`) })
  const core: Core = createCore(services, events)
  if (interrupted) {
    console.error(`${interrupted}: stopping the services…`)
    return core.shutdown()
  }
  let lastLine = 0
  events.on('status', (s) => {
    if (s.state === 'running' && Date.now() - lastLine < 3_000) return
    lastLine = Date.now()
    console.log(formatStatus(s))
  })
  events.on('alert', (a) =>
    console.error(a.clearedAt === null ? `${a.level}: ${a.message}` : `cleared: ${a.message}`),
  )

  try {
    await core.startPipeline({
      source: settings.source,
      symbols: settings.symbols,
      replayFile: settings.replayFile,
      speed: settings.speed,
    })
  } catch (err) {
    await core.shutdown().catch(() => undefined)
    throw err
  }
  const pipeline = core.pipeline()!
  const ends: Promise<string>[] = [signalled]
  if (settings.duration)
    ends.push(new Promise((r) => setTimeout(() => r('duration reached'), settings.duration! * 1000)))
  if (pipeline.source.finished) ends.push(pipeline.source.finished.then(() => 'replay finished'))
  // A source that gives up (a refused token, say), or a pipeline that fails (its broker replaced
  // by another cluster's), ends the run as a failure, after draining what can be drained.
  let failure: Error | null = null
  ends.push(
    new Promise((resolve) => {
      const check = (what: string, state: string, detail?: string | null): void => {
        if (state !== 'failed' || failure) return
        failure = new Error(detail ?? `${what} failed`)
        resolve(`${what} failed`)
      }
      const s = pipeline.source.status()
      check('the source', s.state, s.detail)
      pipeline.source.onStatus((st) => check('the source', st.state, st.detail))
      events.on('status', (st) => check('the pipeline', st.state, st.detail))
    }),
  )
  const why = await Promise.race(ends)
  console.error(`${why}: draining what is in flight…`)
  await core.shutdown()
  if (failure) throw failure
}

// Exit explicitly: a stray timer in a client library must not keep a finished run alive.
runFace({ argv: process.argv.slice(2), usage: USAGE, run }).then((code) => process.exit(code))
