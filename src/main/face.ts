import { ZodError } from 'zod'
import { describeSettingsError, parseFlags, resolveSettings, type Settings } from './config'
import { defaultDataDir } from './kafka/paths'
import { loadSettingsFile } from './settings-file'

export interface FaceOptions {
  argv: string[]
  usage: string
  /** a reason the face cannot run at all (a missing build, say), checked after the settings */
  preflight?: () => string | null
  run(settings: Settings): Promise<void>
}

/**
 * What the command-line faces (pipeline, serve) share: settings from flags over the environment
 * over <data dir>/settings.json, and their exit codes: 0 done, 1 failed (one line), 2 bad settings.
 */
export async function runFace(opts: FaceOptions): Promise<number> {
  let settings: Settings
  try {
    const flags = parseFlags(opts.argv)
    if (flags.help) {
      console.log(opts.usage)
      return 0
    }
    const dataDir = flags.settings.dataDir ?? defaultDataDir()
    const file = await loadSettingsFile(dataDir)
    for (const w of file.warnings) console.error(`warning: ${w}`)
    settings = resolveSettings(flags.settings, process.env, file.settings)
  } catch (err) {
    return fail(err instanceof ZodError ? describeSettingsError(err) : (err as Error).message, 2)
  }
  const unable = opts.preflight?.()
  if (unable) return fail(unable, 1)
  try {
    await opts.run(settings)
    return 0
  } catch (err) {
    return fail((err as Error).message.split('\n')[0] ?? '', 1)
  }
}

function fail(message: string, code: number): number {
  console.error(`tickflow: ${message}`)
  return code
}
