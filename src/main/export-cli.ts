import { join, resolve } from 'node:path'
import { z } from 'zod'
import { describeSettingsError, envSecrets, settingsFileSchema, settingsFromEnv } from './config'
import { EXPORT_USAGE, parseExportArgs, type ExportCommand } from './export/cli-args'
import { ExportArgError } from './export/export-args'
import { CsvExporter } from './export/exporter'
import { DEFAULT_LOG_LEVEL } from './log/levels'
import { appLog, openLog } from './log/logger'
import { maskSecrets, redactText, secretsOf } from './log/redact'
import { openDatabase } from './postgres/database'
import { openSettingsStore } from './settings/store'

// The database settings the other faces use, from the same places: flags > env > the settings store.
const dbSettingsSchema = settingsFileSchema.pick({ databaseUrl: true, pgSchema: true, dataDir: true })

async function run(cmd: ExportCommand, signal: AbortSignal): Promise<void> {
  // Checks TICKFLOW_LOG_LEVEL against the settings' schema: a bad one ends here, with exit 2.
  const fromEnv = settingsFromEnv(process.env)
  const dataDir = cmd.db.dataDir ?? fromEnv.dataDir!
  const store = await openSettingsStore(dataDir)
  for (const w of store.warnings) console.error(`warning: ${w}`)
  const stored = store.settings()
  const s = dbSettingsSchema.parse({
    databaseUrl: stored.databaseUrl,
    pgSchema: stored.pgSchema,
    ...(fromEnv.databaseUrl ? { databaseUrl: fromEnv.databaseUrl } : {}),
    ...cmd.db,
    dataDir,
  })
  // No --log-level flag here: the level comes from TICKFLOW_LOG_LEVEL or the settings store.
  const secrets = secretsOf({ databaseUrl: s.databaseUrl })
  const logFile = await openLog({
    dir: join(dataDir, 'logs'),
    name: 'export',
    level: fromEnv.logLevel ?? stored.logLevel ?? DEFAULT_LOG_LEVEL,
    secrets,
  }).catch((err: Error) => {
    // An export does not fail for want of a log, but says so, as the other faces do.
    console.error(`warning: no log file: ${redactText(err.message, secrets)}`)
    return null
  })
  const log = (m: string): void => {
    appLog('export').info(m)
    if (!cmd.quiet) console.error(maskSecrets(m))
  }
  const db = await openDatabase({
    databaseUrl: s.databaseUrl,
    dataDir: s.dataDir ?? dataDir,
    schema: s.pgSchema ?? 'public',
    onProgress: (m) => log(`… ${m}`),
  }).catch(async (err: unknown) => {
    appLog('export').error({ err }, 'could not open the database')
    // close() reports its own failure on stderr; the export's outcome must stand, not the log's.
    await logFile?.close().catch(() => undefined)
    throw err
  })
  let last = 0
  const onProgress = (rows: number): void => {
    if (Date.now() - last < 1_000) return
    last = Date.now()
    log(`… ${rows.toLocaleString('en')} rows`)
  }
  try {
    const exporter = new CsvExporter(db.pool, { maxConcurrent: 1 })
    if (cmd.out === '-') {
      const { rows } = await exporter.write(cmd.request, process.stdout, { signal, onProgress, end: false })
      // stdout is not ended (it cannot be); wait until what was written has left before exiting.
      await new Promise<void>((done) => process.stdout.write('', () => done()))
      log(`exported ${rows.toLocaleString('en')} rows to stdout`)
    } else {
      const path = resolve(cmd.out)
      const res = await exporter.toFile(cmd.request, path, { signal, onProgress })
      log(
        `exported ${res.rows.toLocaleString('en')} rows (${res.bytes.toLocaleString('en')} bytes) to ${path}`,
      )
    }
  } finally {
    await db.close()
    // close() reports its own failure on stderr; the export's outcome must stand, not the log's.
    await logFile?.close().catch(() => undefined)
  }
}

async function main(argv: string[]): Promise<number> {
  let cmd: ExportCommand | 'help'
  try {
    cmd = parseExportArgs(argv)
  } catch (err) {
    console.error(`tickflow export: ${(err as Error).message}\n(npm run export -- --help for the options)`)
    return 2
  }
  if (cmd === 'help') {
    console.log(EXPORT_USAGE)
    return 0
  }
  const abort = new AbortController()
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130) // a second signal means "now"
    abort.abort(new Error('interrupted'))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // A reader that goes away (`| head`) is not a failure of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') abort.abort(err)
  })
  try {
    await run(cmd, abort.signal)
    return 0
  } catch (err) {
    if (abort.signal.aborted) {
      const reason = abort.signal.reason as NodeJS.ErrnoException
      if (reason?.code === 'EPIPE') return 0
      console.error(
        `tickflow export: interrupted; ${cmd.out === '-' ? 'stdout is incomplete' : `nothing written to ${cmd.out}`}`,
      )
      return 130
    }
    const msg = err instanceof z.ZodError ? describeSettingsError(err) : (err as Error).message
    console.error(`tickflow export: ${redactText(msg.split('\n')[0] ?? '', envSecrets())}`)
    return err instanceof ExportArgError || err instanceof z.ZodError ? 2 : 1
  }
}

// Exit explicitly: a stray timer in a client library must not keep a finished run alive.
main(process.argv.slice(2)).then((code) => process.exit(code))
