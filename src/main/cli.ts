import type { PipelineStatus } from '../shared/status'
import { formatDiskUse } from '../shared/storage'
import { createCore, type Core } from './api/handlers'
import { EventHub } from './api/events'
import type { Settings } from './config'
import { runFace } from './face'
import { appLog } from './log/logger'
import { maskSecrets } from './log/redact'
import { roleParts, type PipelineRole } from './pipeline/role'
import { createServices } from './services'
import type { SettingsStore } from './settings/store'
import { AlertEcho } from './alerts/alert-echo'

const USAGE = `Usage: npm run pipeline -- [options]
  --role ingest|write|all        ingest: feed to Kafka only; write: Kafka to PostgreSQL only, one of
                                 any number of writers sharing --group-id (needs --brokers and
                                 --database-url, and takes no feed flags); all: both (default)
  --source demo|finnhub|replay   where trades come from (default demo; finnhub needs FINNHUB_TOKEN)
  --symbols "AAPL,AMZN,…"        symbols to subscribe to (default the assignment's four)
  --replay-file FILE             JSONL recording to replay (--source replay; a bare name is
                                 one of <data dir>/recordings, ./FILE one in this folder)
  --speed 1|N|max                replay speed (default 1)
  --record FILE                  also record the received frames to a JSONL file (a bare name
                                 goes to <data dir>/recordings, where the dashboard lists it)
  --demo-rate N                  trades per second from the Demo simulator (default 40)
  --finnhub-url URL              Finnhub WebSocket endpoint (default wss://ws.finnhub.io)
  --brokers host:port,…          an existing Kafka cluster (default: run a local broker)
  --kafka-port N                 port of the local broker (default 9092, or a free one)
  --topic NAME                   Kafka topic (default trades)
  --partitions N                 partitions when the topic is created (default 3)
  --group-id NAME                the writers' consumer group (default tickflow-writer)
  --database-url URL             an external PostgreSQL (default: embedded; or DATABASE_URL)
  --schema NAME                  PostgreSQL schema (default public)
  --data-dir DIR                 where embedded Postgres, the broker and settings.json live
  --log-level LEVEL              fatal|error|warn|info|debug|trace: what <data dir>/logs keeps
                                 (default info; or TICKFLOW_LOG_LEVEL); debug adds kafkajs detail
  --retention-days N             days of raw trades kept; rollups stay (default 30; against
                                 --database-url only when given)
  --disk-budget-gb N             what the data dir may take before the oldest days go (default 20)
  --duration SECONDS             drain and exit after this long`

/**
 * One line a few seconds: what flows, what waits, what went wrong. A role shows its own half:
 * ingest what it sent to Kafka (and the writers' lag), write the rows it stored.
 */
export function formatStatus(s: PipelineStatus, role: PipelineRole = 'all'): string {
  const c = s.counters
  const { feed, writer } = roleParts(role)
  const src = s.source ? `${s.source.kind} ${s.source.state}` : 'no source'
  const only = (on: boolean, ...parts: string[]): string[] => (on ? parts : [])
  return [
    new Date(s.at).toISOString().slice(11, 19) + 'Z',
    `${s.state} (${feed ? src : `writer ${s.consumer.state}`})`,
    ...only(feed, `recv ${Math.round(s.rates.received)}/s`),
    ...only(writer, `written ${Math.round(s.rates.written)}/s`),
    ...only(!writer, `produced ${c.produced}`),
    `lag ${s.lag ?? '?'}`,
    ...only(writer, `rows ${c.written}`),
    `rejects ${c.rejected}`,
    ...only(feed, `dropped ${c.dropped}`),
    // The writer joins its group in the background; until it runs, the rows wait in Kafka.
    ...only(
      role === 'all' && s.state === 'running' && s.consumer.state !== 'running',
      `writer ${s.consumer.state}`,
    ),
    ...only(writer && s.consumer.restarts > 0, `consumer restarts ${s.consumer.restarts}`),
    ...only(s.storage !== null, `disk ${s.storage ? formatDiskUse(s.storage) : ''}`),
  ].join(' · ')
}

async function run(settings: Settings, store: SettingsStore): Promise<void> {
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
  const services = await createServices(settings, { onProgress: (m) => console.error(`… ${maskSecrets(m)}`) })
  const core: Core = createCore(services, events, { store, recordRuns: false })
  if (interrupted) {
    console.error(`${interrupted}: stopping the services…`)
    return core.shutdown()
  }
  let lastLine = 0
  events.on('status', (s) => {
    if (s.state === 'running' && Date.now() - lastLine < 3_000) return
    lastLine = Date.now()
    console.log(formatStatus(s, settings.role))
  })
  const echo = new AlertEcho()
  events.on('alert', (a) => {
    const line = echo.line(a)
    if (line) console.error(maskSecrets(line))
  })

  try {
    await core.startPipeline({
      source: settings.source,
      symbols: settings.symbols,
      // the replay file is the settings' already (createChoices): the user's own shell named it
      speed: settings.speed,
    })
  } catch (err) {
    // The start's error is what the user sees; a failed shutdown on top of it goes to the log.
    await core
      .shutdown()
      .catch((stopErr: unknown) =>
        appLog('face').debug(
          { err: stopErr, startError: (err as Error).message },
          'shutdown after a failed pipeline start failed',
        ),
      )
    throw err
  }
  const pipeline = core.pipeline()!
  const ends: Promise<string>[] = [signalled]
  if (settings.duration)
    ends.push(new Promise((r) => setTimeout(() => r('duration reached'), settings.duration! * 1000)))
  const { feed } = roleParts(settings.role)
  if (feed && pipeline.source.finished) ends.push(pipeline.source.finished.then(() => 'replay finished'))
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
      if (feed) {
        const s = pipeline.source.status()
        check('the source', s.state, s.detail)
        pipeline.source.onStatus((st) => check('the source', st.state, st.detail))
      }
      events.on('status', (st) => check('the pipeline', st.state, st.detail))
    }),
  )
  const why = await Promise.race(ends)
  console.error(`${why}: draining what is in flight…`)
  appLog('face').info(`${why}: draining`)
  await core.shutdown()
  if (failure) throw failure
}

// Exit explicitly: a stray timer in a client library must not keep a finished run alive.
runFace({ argv: process.argv.slice(2), usage: USAGE, logName: 'pipeline', run }).then((code) =>
  process.exit(code),
)
