import { z } from 'zod'
import { startRequestSchema } from '../../shared/contract'
import { ALERT_RULES } from '../../shared/status'
import { settingsFileSchema, type SettingsInput } from '../config'
import { kafkaConnectionSchema } from '../kafka/client'
import type { SecretValues } from './secret-box'

const checked = settingsFileSchema
  .extend({
    // the password lives in the secret box
    kafkaSasl: kafkaConnectionSchema.shape.sasl.unwrap().partial({ password: true }).optional(),
    /** true: symbols_subscribed keeps the value the user set; false: it follows the subscription */
    symbolsSubscribedPinned: z.boolean().optional(),
    // The behaviour settings (contract.ts's Behaviour), absent = their defaults.
    closeToTray: z.boolean().optional(),
    startOnOpen: z.boolean().optional(),
    notificationsOff: z.array(z.enum(ALERT_RULES)).optional(),
    /** the first close to the tray has said what it does */
    trayNoticeShown: z.boolean().optional(),
    /**
     * The run in progress, as a Start request: written when a start succeeds, removed by the user's
     * Stop and by nothing else, so a quit or a crash leaves it for startOnOpen to resume.
     */
    resumeRun: startRequestSchema.optional(),
  })
  .strict()

export type StoredSettings = Partial<z.output<typeof checked>>

/**
 * settings.json: any setting under its own name (as flags and the environment know it), plus what
 * only the dashboard sets. Checked without filling in defaults, so the file holds only what was
 * chosen and a later default still reaches the rest. A file written by hand may hold secrets; the
 * store moves them to the secret box.
 */
export const storedSettingsSchema: z.ZodType<StoredSettings> = z
  .record(z.string(), z.unknown())
  .transform((rawFile, ctx) => {
    // Older versions kept the dashboard's window here; the renderer keeps it now. A file that still
    // has it loads, without it (the next write drops it), rather than being moved aside as unknown.
    const { window: _window, ...raw } = rawFile
    const r = checked.safeParse(raw)
    if (!r.success) {
      for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message })
      return z.NEVER
    }
    const data = r.data as Record<string, unknown>
    return Object.fromEntries(Object.keys(raw).map((k) => [k, data[k]])) as StoredSettings
  })

/** Takes the secrets out of a document: the document to write, and what goes into the box. */
export function splitSecrets(doc: StoredSettings): { doc: StoredSettings; secrets: SecretValues } {
  const out: StoredSettings = { ...doc }
  const secrets: SecretValues = {}
  if (out.finnhubToken !== undefined) {
    secrets.finnhubToken = out.finnhubToken
    delete out.finnhubToken
  }
  if (out.kafkaSasl?.password !== undefined) {
    secrets.kafkaSaslPassword = out.kafkaSasl.password
    out.kafkaSasl = { mechanism: out.kafkaSasl.mechanism, username: out.kafkaSasl.username }
  }
  if (out.databaseUrl !== undefined) {
    const url = parseUrl(out.databaseUrl)
    if (url?.password) {
      secrets.databasePassword = decodeURIComponent(url.password)
      url.password = ''
      out.databaseUrl = url.toString()
    }
  }
  return { doc: out, secrets }
}

/** The settings as resolveSettings takes them (its file layer), with the secrets put back. */
export function joinSecrets(
  doc: StoredSettings,
  secret: (name: keyof SecretValues) => string | undefined,
): Partial<SettingsInput> {
  const {
    symbolsSubscribedPinned: _pinned,
    closeToTray: _tray,
    startOnOpen: _startOnOpen,
    notificationsOff: _off,
    trayNoticeShown: _notice,
    resumeRun: _resume,
    ...settings
  } = doc
  const out: Partial<SettingsInput> = { ...settings } as Partial<SettingsInput>
  const token = secret('finnhubToken')
  if (token !== undefined) out.finnhubToken = token
  const kafkaPassword = secret('kafkaSaslPassword')
  if (settings.kafkaSasl)
    out.kafkaSasl = { ...settings.kafkaSasl, password: kafkaPassword ?? settings.kafkaSasl.password ?? '' }
  const dbPassword = secret('databasePassword')
  const url = settings.databaseUrl !== undefined ? parseUrl(settings.databaseUrl) : null
  if (url && dbPassword !== undefined && url.username && !url.password) {
    url.password = encodeURIComponent(dbPassword)
    out.databaseUrl = url.toString()
  }
  return out
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text)
  } catch {
    return null
  }
}
