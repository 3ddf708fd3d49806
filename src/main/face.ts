import { join } from 'node:path'
import { ZodError } from 'zod'
import {
  describeSettingsError,
  envSecrets,
  flagSecretWarnings,
  parseFlags,
  resolveSettings,
  type Settings,
} from './config'
import { defaultDataDir } from './base/data-dirs'
import { appLog, openLog, type LogHandle } from './log/logger'
import { maskSecrets, redactText, secretsOf } from './log/redact'
import { openSettingsStore, type SettingsStore } from './settings/store'

export interface FaceOptions {
  argv: string[]
  usage: string
  /** the log's file stem in <data dir>/logs (pipeline → pipeline.1.log); default tickflow */
  logName?: string
  /** a reason the face cannot run at all (a missing build, say), checked after the settings */
  preflight?: () => string | null
  /** `store` is where the core keeps the user's changes (createCore's options) */
  run(settings: Settings, store: SettingsStore): Promise<void>
}

/**
 * What the command-line faces (pipeline, serve) share: settings from flags over the environment
 * over the settings store (<data dir>/settings.json and its secrets), and their exit codes: 0 done, 1 failed (one line), 2 bad settings.
 */
export async function runFace(opts: FaceOptions): Promise<number> {
  let settings: Settings
  let store: SettingsStore
  try {
    const flags = parseFlags(opts.argv)
    if (flags.help) {
      console.log(opts.usage)
      return 0
    }
    for (const w of flagSecretWarnings(flags.settings)) console.error(`warning: ${w}`)
    const dataDir = flags.settings.dataDir ?? defaultDataDir()
    store = await openSettingsStore(dataDir)
    for (const w of store.warnings) console.error(`warning: ${w}`)
    settings = resolveSettings(flags.settings, process.env, store.settings())
  } catch (err) {
    return fail(err instanceof ZodError ? describeSettingsError(err) : (err as Error).message, 2)
  }
  const unable = opts.preflight?.()
  if (unable) return fail(unable, 1)
  // A log that cannot be opened (a read-only data dir, say) is said, and the run goes on without it.
  const log: LogHandle | null = await openLog({
    dir: join(settings.dataDir, 'logs'),
    name: opts.logName ?? 'tickflow',
    level: settings.logLevel,
    secrets: secretsOf(settings),
  }).catch((err: Error) => {
    console.error(`warning: no log file: ${maskSecrets(err.message)}`)
    return null
  })
  const faceLog = appLog('face')
  faceLog.info({ face: opts.logName, logLevel: settings.logLevel }, 'started')
  faceLog.debug({ settings }, 'settings') // secrets masked by the logger, by key and in the URLs
  try {
    await opts.run(settings, store)
    faceLog.info('finished')
    return 0
  } catch (err) {
    faceLog.error({ err }, 'failed')
    return fail((err as Error).message.split('\n')[0] ?? '', 1)
  } finally {
    // close() never rejects; should that change, the run's outcome still stands, not the log's.
    await log?.close().catch(() => undefined)
  }
}

/** The one-line reason, without any secret the settings or the environment hold. */
function fail(message: string, code: number): number {
  console.error(`tickflow: ${maskSecrets(redactText(message, envSecrets()))}`)
  return code
}
