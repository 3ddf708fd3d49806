import type pg from 'pg'
import { basename } from 'node:path'
import type { ApiHandlers, AppConfig, Behaviour, CommandRequest } from '../../shared/contract'
import type { SourceKind } from '../../shared/status'
import { MAX_SYMBOLS } from '../../shared/symbols'
import { DEFAULT_THRESHOLDS, parseThreshold, type Thresholds } from '../../shared/thresholds'
import type { Settings } from '../config'
import type { TradeSource } from '../pipeline/sources/source'
import { getThresholds, setThreshold } from '../postgres/thresholds'
import { serialize } from '../base/serial'
import {
  RecordingError,
  recordingNameOf,
  recordingsDir,
  resolveRecording,
} from '../pipeline/sources/recordings'
import type { SettingsPatch, SettingsStore } from '../settings/store'
import { ApiRequestError } from './dispatch'

/** What a Start without a request runs with. */
export interface NextStart {
  source: SourceKind
  replayFile: string | null
  speed: Settings['speed']
  demoRate: number
  finnhubToken: string | null
  symbols: string[]
}

export interface ChoicesOptions {
  /** the resolved settings of this run: the first next start */
  settings: Settings
  /** holds the thresholds table */
  pool: pg.Pool
  /** where changes are saved; without one (tests) they last a run */
  store?: SettingsStore
  /** the behaviour settings as they are (behaviour.ts keeps them) */
  behaviour(): Behaviour
  // The core owns the pipeline and the clients; these are all the choices need of them.
  /** true while a pipeline starts or runs */
  running(): boolean
  /** the pipeline's source, so a symbol is added or dropped on the open connection */
  source(): TradeSource | null
  /** tells every client (the `config` event) */
  emit(config: AppConfig): void
  /** a problem in words that does not undo the change (an alert notice) */
  warn(message: string): void
}

type ChoiceCommand =
  | 'getConfig'
  | 'setSource'
  | 'setFinnhubToken'
  | 'subscribe'
  | 'unsubscribe'
  | 'getThresholds'
  | 'setThreshold'
  | 'pinSymbolsSubscribed'

/** The user's choices: the next start's settings and the thresholds, and the commands that change them. */
export interface Choices extends Pick<ApiHandlers, ChoiceCommand> {
  /** the next start's settings; while running, `symbols` mirrors the source */
  readonly next: Readonly<NextStart>
  /** the thresholds as last read from the table */
  thresholds(): Thresholds
  /** A Start's request: its source and symbols become the next start's too (not saved). */
  useForStart(req: NonNullable<CommandRequest<'startPipeline'>>): Promise<void>
  /** The app's dialog chose this file: replay it from the next start (saved). */
  useReplayFile(path: string): Promise<AppConfig>
  /** emits the config to every client and returns it */
  configChanged(): AppConfig
  /** sets symbols_subscribed to the subscription's size, unless pinned */
  syncSubscribedThreshold(): Promise<void>
}

export function createChoices(opts: ChoicesOptions): Choices {
  const { settings, pool, store } = opts
  const next: NextStart = {
    source: settings.source as SourceKind,
    replayFile: settings.replayFile ?? null,
    speed: settings.speed,
    demoRate: settings.demoRate,
    finnhubToken: settings.finnhubToken ?? null,
    symbols: [...settings.symbols],
  }
  // Thresholds have one source of truth, the thresholds table: the KPI views and kpi_snapshot read
  // it in SQL (and so do Grafana or Superset on the same database), and it travels with the data
  // it describes, also when several data dirs share one database. The store keeps only whether
  // symbols_subscribed is pinned, which is how this face treats the table, not a value in it.
  let pinned = store?.symbolsSubscribedPinned() ?? false
  let thresholds: Thresholds = { ...DEFAULT_THRESHOLDS }

  const recordings = recordingsDir(settings.dataDir)
  // A client names a recording; only main turns it into a path, inside the recordings folder.
  const recordingPath = async (name: string): Promise<string> => {
    try {
      return await resolveRecording(recordings, name)
    } catch (err) {
      throw err instanceof RecordingError ? new ApiRequestError(err.message, 'recording') : err
    }
  }

  const config = (): AppConfig => ({
    source: next.source,
    // its name only: where the data dir or a dialog's file lives is main's (L1)
    replayFile: next.replayFile ? basename(next.replayFile) : null,
    replayRecording: recordingNameOf(recordings, next.replayFile),
    speed: next.speed,
    demoRate: next.demoRate,
    finnhubToken: next.finnhubToken ? 'set' : 'not set',
    symbols: [...next.symbols],
    thresholds: { ...thresholds },
    symbolsSubscribedPinned: pinned,
    behaviour: opts.behaviour(),
  })
  const configChanged = (): AppConfig => {
    const c = config()
    opts.emit(c)
    return c
  }

  const refreshThresholds = async (): Promise<Thresholds> => (thresholds = await getThresholds(pool))
  // The data-loss KPI compares against this threshold, so it follows the subscription unless pinned.
  const syncSubscribedThreshold = async (): Promise<void> => {
    if (pinned) return
    await setThreshold(pool, 'symbols_subscribed', Math.max(1, Math.min(next.symbols.length, MAX_SYMBOLS)))
    await refreshThresholds()
  }
  // After a symbol has been saved and (un)subscribed, a failed table write must not report the
  // change as failed: a retry would then be refused as "already in the list". It is said instead,
  // and the next change or start syncs again.
  const syncAfterSymbols = (): Promise<void> =>
    syncSubscribedThreshold().catch((err: Error) =>
      opts.warn(`symbols_subscribed was not updated: ${err.message}`),
    )
  // Until the table has been read, the config would show the defaults rather than the stored values.
  const loaded = refreshThresholds().then(
    () => undefined,
    () => undefined,
  )

  // Changes of settings run one at a time, each saved before it takes effect: two quick clicks
  // never interleave, and a change that cannot be saved is refused rather than lost at restart.
  const serial = serialize()
  const changing = <T>(task: () => Promise<T>): Promise<T> => serial(() => loaded.then(task))
  const save = async (patch: SettingsPatch): Promise<void> => {
    await store?.update(patch)
  }

  return {
    next,
    thresholds: () => thresholds,
    async useForStart(req) {
      const replayFile = req.recording === undefined ? undefined : await recordingPath(req.recording)
      Object.assign(next, { source: req.source, symbols: [...req.symbols] })
      if (replayFile !== undefined) next.replayFile = replayFile
      if (req.speed !== undefined) next.speed = req.speed
    },
    configChanged,
    syncSubscribedThreshold,

    async getConfig() {
      await loaded
      return config()
    },

    setSource: (req) =>
      changing(async () => {
        if (opts.running())
          throw new ApiRequestError('stop the pipeline before changing the source', 'source')
        const { source, recording, speed, demoRate } = req
        const replayFile = recording === undefined ? undefined : await recordingPath(recording)
        await save({ source, replayFile, speed, demoRate })
        next.source = source
        if (replayFile !== undefined) next.replayFile = replayFile
        if (speed !== undefined) next.speed = speed
        if (demoRate !== undefined) next.demoRate = demoRate
        return configChanged()
      }),

    useReplayFile: (path) =>
      changing(async () => {
        if (opts.running())
          throw new ApiRequestError('stop the pipeline before changing the source', 'source')
        await save({ source: 'replay', replayFile: path })
        Object.assign(next, { source: 'replay', replayFile: path })
        return configChanged()
      }),

    setFinnhubToken: ({ token }) =>
      changing(async () => {
        // Kept in the store's secret box; never sent back, logged or put in a status.
        await save({ finnhubToken: token })
        next.finnhubToken = token
        return configChanged()
      }),

    subscribe: ({ symbol }) =>
      changing(async () => {
        if (next.symbols.includes(symbol))
          throw new ApiRequestError(`${symbol} is already in the list`, 'symbol')
        if (next.symbols.length >= MAX_SYMBOLS)
          throw new ApiRequestError(
            `at most ${MAX_SYMBOLS} symbols per connection (Finnhub's free plan)`,
            'symbol',
          )
        const symbols = [...next.symbols, symbol]
        await save({ symbols })
        if (opts.running()) opts.source()?.subscribe(symbol)
        next.symbols = symbols
        await syncAfterSymbols()
        configChanged()
        return next.symbols
      }),

    unsubscribe: ({ symbol }) =>
      changing(async () => {
        if (!next.symbols.includes(symbol)) throw new ApiRequestError(`not subscribed to ${symbol}`, 'symbol')
        if (next.symbols.length === 1)
          throw new ApiRequestError('keep at least one symbol; stop the pipeline instead', 'symbol')
        const symbols = next.symbols.filter((s) => s !== symbol)
        await save({ symbols })
        if (opts.running()) opts.source()?.unsubscribe(symbol)
        next.symbols = symbols
        await syncAfterSymbols()
        configChanged()
        return next.symbols
      }),

    async getThresholds() {
      return refreshThresholds()
    },

    setThreshold: ({ id, value }) =>
      changing(async () => {
        // A value the user typed for symbols_subscribed stays until they unpin it. The table first:
        // a value it refuses leaves no pin behind.
        await setThreshold(pool, id, value)
        if (parseThreshold(id, value).id === 'symbols_subscribed' && !pinned) {
          await save({ symbolsSubscribedPinned: true })
          pinned = true
        }
        await refreshThresholds()
        configChanged()
        return { ...thresholds }
      }),

    pinSymbolsSubscribed: ({ pinned: pin }) =>
      changing(async () => {
        await save({ symbolsSubscribedPinned: pin })
        pinned = pin
        await syncSubscribedThreshold()
        return configChanged()
      }),
  }
}
