import type { CommandRequest } from '../../shared/contract'
import type { PipelineStatus } from '../../shared/status'
import { appLog } from '../log/logger'
import { roleParts } from '../pipeline/role'
import { createSource } from '../pipeline/sources/create-source'
import { createPipeline, type KafkaAccess, type Services } from '../services'
import type { StartRequest } from './behaviour'
import { brokerWords } from './broker-words'
import type { CoreServices } from './core-services'
import { ApiRequestError, CommandFailedError } from './dispatch'
import type { EventHub } from './events'

/** Starting and stopping the pipeline, for the core's commands and its faces. */
export interface RunControl {
  /** the startPipeline command: one start at a time, its failure in the user's words */
  start(req: CommandRequest<'startPipeline'>): Promise<PipelineStatus>
  /** the stopPipeline command: ends a start's wait or waits for the start, then drains */
  stop(): Promise<PipelineStatus>
  /** serve --start (`always`), or the run to resume at a face's open; a failure becomes an alert */
  startOnOpen(opts: { always: boolean }): Promise<void>
  /** at shutdown: ends a start's wait for the broker and waits for the start to settle */
  settle(): Promise<void>
}

export interface RunControlOptions {
  /** whether a run is kept to resume at the next open (CoreOptions.recordRuns) */
  recordRuns: boolean
}

/**
 * A Start waits for the broker when it still comes up (Stop ends that wait), builds the source and
 * the pipeline, and records the run to resume; a Stop clears that record once any start settled.
 */
export function createRunControl(
  services: Services,
  events: EventHub,
  core: Pick<CoreServices, 'run' | 'alerts' | 'choices' | 'behaviour' | 'lag' | 'monitor'>,
  options: RunControlOptions,
): RunControl {
  const { settings } = services
  const { run, alerts, choices, behaviour, lag, monitor } = core
  const { next } = choices
  const status = run.status

  /**
   * The broker's connection, once it answers. A Start pressed while the managed broker still comes
   * up waits for it, the status saying "starting Kafka…" meanwhile; one pressed after it failed
   * tries it again.
   */
  const awaitKafka = async (): Promise<KafkaAccess> => {
    const ready = services.broker.current()
    if (ready) return ready
    const withdrawn = new Promise<never>((_, reject) => {
      withdraw = () =>
        reject(new ApiRequestError('stopped while Kafka was starting: the pipeline did not start'))
    })
    run.waiting = true
    events.emit('status', status())
    try {
      return await Promise.race([services.broker.retry(), withdrawn])
    } catch (err) {
      if (err instanceof ApiRequestError) throw err
      throw new Error(brokerWords(services.broker.state()), { cause: err })
    } finally {
      withdraw = null
      run.waiting = false
      events.emit('status', status())
    }
  }
  /** Ends a start's wait for the broker at once: Stop pressed, or the app quitting, meanwhile. */
  let withdraw: (() => void) | null = null

  const startPipeline = async (req: CommandRequest<'startPipeline'>): Promise<PipelineStatus> => {
    if (req) await choices.useForStart(req)
    const kafka = await awaitKafka()
    const sourceLog = appLog('source')
    const feeds = roleParts(settings.role).feed
    const source = await createSource({
      ...settings,
      // A writer never starts its source; the Demo one needs no token nor file to be built.
      source: feeds ? next.source : 'demo',
      symbols: next.symbols,
      finnhubToken: next.finnhubToken ?? undefined,
      replayFile: next.replayFile ?? undefined,
      speed: next.speed,
      demoRate: next.demoRate,
      log: (line) => sourceLog.info(line),
    })
    const p = createPipeline({ ...services, ...kafka }, { source })
    p.onStatus((s) => {
      if (s.lag !== null) lag.add(s.at, s.lag)
      events.emit('status', s)
    })
    p.onAlert((a) => alerts.notice(a.level, a.message, a.at))
    run.pipeline = p
    if (req) choices.configChanged()
    // Only a process with the feed knows what is subscribed; a writer leaves the table to it.
    if (feeds) await choices.syncSubscribedThreshold()
    monitor.start()
    try {
      await p.start()
    } catch (err) {
      monitor.stop()
      throw err
    }
    // Kept until the user's Stop, so that a quit or a crash resumes it (startOnOpen).
    if (options.recordRuns)
      await runRequest()
        .then((r) => behaviour.recordRun(r))
        .catch((err: Error) => warn(`the run was not recorded: ${err.message}`))
    return p.status()
  }

  const warn = (message: string): void => void alerts.notice('warn', message, Date.now())
  // What this run started with, as a Start request: the same source and symbols on resume.
  // A replay names its recording; a file the app's dialog chose is the saved replayFile already.
  const runRequest = async (): Promise<StartRequest> => {
    const { source, symbols, replayRecording, speed } = await choices.getConfig(undefined)
    if (source !== 'replay') return { source, symbols }
    return { source, symbols, speed, ...(replayRecording ? { recording: replayRecording } : {}) }
  }

  // One start at a time: two tabs pressing Start together must not build two pipelines, and a
  // Stop that arrives during a start waits for it rather than finding nothing to stop.
  let starting: Promise<unknown> | null = null

  const start = async (req: CommandRequest<'startPipeline'>): Promise<PipelineStatus> => {
    if (starting || run.running()) throw new ApiRequestError('the pipeline is already running; stop it first')
    // What stopped a start (no broker, no database, no replay file) was written for the user.
    const started = startPipeline(req).catch((err: unknown) => {
      throw err instanceof ApiRequestError
        ? err
        : new CommandFailedError(err instanceof Error ? err.message : String(err), { cause: err })
    })
    starting = started
    try {
      return await started
    } finally {
      starting = null
    }
  }

  return {
    start,

    async stop() {
      withdraw?.()
      // Only waits for a start to settle: its failure went to the startPipeline caller already.
      // (A start records its run as it ends, so the Stop's clearing must come after it.)
      await starting?.catch(() => undefined)
      // The user's Stop: nothing to resume at the next open, even if draining never ends.
      await behaviour.clearRun().catch((err: Error) => warn(`the stop was not recorded: ${err.message}`))
      await run.pipeline?.stop()
      monitor.stop()
      return status()
    },

    async startOnOpen({ always }) {
      const resume = always ? undefined : behaviour.resumeRequest()
      if (resume === null) return
      try {
        await start(resume)
      } catch (err) {
        const message = `Collecting did not start on open: ${(err as Error).message}`
        appLog('face').error({ err }, message)
        alerts.notice('error', message, Date.now())
      }
    },

    async settle() {
      withdraw?.()
      await starting?.catch(() => undefined)
    },
  }
}
