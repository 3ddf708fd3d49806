import { parseArgs } from 'node:util'
import { z } from 'zod'
import { diskBudgetGbSchema, retentionDaysSchema } from '../shared/storage'
import { DEFAULT_SYMBOLS, parseSymbolList, symbolListSchema } from '../shared/symbols'
import { brokerAddressSchema, kafkaConnectionSchema, parseBrokerList } from './kafka/client'
import { defaultDataDir } from './base/data-dirs'
import { DEFAULT_LOG_LEVEL, LOG_LEVELS } from './log/levels'
import { secretsOf } from './log/redact'
import { recordingFilePath } from './pipeline/sources/recordings'
import { PIPELINE_ROLES, roleFlagConflict, roleSettingsIssues } from './pipeline/role'

const settingsObject = z.object({
  source: z.enum(['demo', 'finnhub', 'replay']).default('demo'),
  symbols: symbolListSchema.default(DEFAULT_SYMBOLS),
  finnhubUrl: z
    .string()
    .regex(/^wss?:\/\/\S+$/, 'the Finnhub URL must start with ws:// or wss://')
    .default('wss://ws.finnhub.io'),
  finnhubToken: z.string().min(1).optional(),
  replayFile: z.string().min(1).optional(),
  /** replay speed: 1 = as recorded, N = N times faster, 'max' = as fast as the pipeline takes it */
  speed: z.union([z.literal('max'), z.number().positive()]).default(1),
  /** a bare file name is in <data dir>/recordings (resolveSettings), where the dashboard lists it */
  recordFile: z.string().min(1).optional(),
  /** trades per second the Demo simulator offers */
  demoRate: z.number().positive().max(1_000_000).default(40),
  /** An existing cluster; when absent Tickflow runs its own local broker. */
  brokers: z.array(brokerAddressSchema).min(1).optional(),
  kafkaPort: z.number().int().min(1).max(65535).optional(),
  kafkaSsl: z.boolean().default(false),
  kafkaSasl: kafkaConnectionSchema.shape.sasl,
  topic: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic is 1–249 of a-z A-Z 0-9 . _ -')
    .default('trades'),
  partitions: z.number().int().min(1).max(64).default(3),
  groupId: z.string().min(1).default('tickflow-writer'),
  /** which half of the pipeline this process runs (pipeline/role.ts) */
  role: z.enum(PIPELINE_ROLES).default('all'),
  /** An external PostgreSQL; when absent Tickflow runs embedded Postgres. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'the database URL must start with postgres://')
    .optional(),
  pgSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a schema name is lower-case letters, digits and _')
    .default('public'),
  dataDir: z.string().min(1),
  /** stop after this many seconds (CLI); absent = run until stopped */
  duration: z.number().positive().optional(),
  /** trades the producer may hold while Kafka is slow; beyond it they are dropped and counted */
  bufferCapacity: z.number().int().min(100).default(200_000),
  /** what <data dir>/logs keeps: kafkajs, pipeline and service messages at this level and above */
  logLevel: z.enum(LOG_LEVELS).default(DEFAULT_LOG_LEVEL),
  /**
   * Days of raw trades kept (rollups outlive them); 30 when unset. Optional rather than defaulted:
   * against an external database retention runs only when the user set it (postgres/retention.ts).
   */
  retentionDays: retentionDaysSchema.optional(),
  /** what the data dir (PostgreSQL, Kafka log, logs) may take, in GB; 20 when unset, see retentionDays */
  diskBudgetGb: diskBudgetGbSchema.optional(),
})

/** What a settings file may hold: any setting, nothing else (a typo is an error, not a silent no-op). */
export const settingsFileSchema = settingsObject.partial().strict()

export const settingsSchema = settingsObject.superRefine((s, ctx) => {
  for (const i of roleSettingsIssues(s)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message })
  // A writer has no feed: a source that a settings file names for other roles is left alone.
  if (s.role === 'write') return
  if (s.source === 'replay' && !s.replayFile)
    ctx.addIssue({ code: 'custom', path: ['replayFile'], message: '--source replay needs --replay-file' })
  if (s.source === 'finnhub' && !s.finnhubToken)
    ctx.addIssue({
      code: 'custom',
      path: ['finnhubToken'],
      message: '--source finnhub needs FINNHUB_TOKEN',
    })
})

export type Settings = z.infer<typeof settingsSchema>
export type SettingsInput = z.input<typeof settingsSchema>

/** One line per problem, naming the setting: what a CLI user or the UI shows. */
export function describeSettingsError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')
}

/** Settings from the environment; flags override them. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SettingsInput> {
  const out: Partial<SettingsInput> = { dataDir: defaultDataDir(env) }
  if (env.FINNHUB_TOKEN) out.finnhubToken = env.FINNHUB_TOKEN
  if (env.DATABASE_URL) out.databaseUrl = env.DATABASE_URL
  if (env.TICKFLOW_LOG_LEVEL) out.logLevel = envLogLevel(env.TICKFLOW_LOG_LEVEL)
  if (env.KAFKA_BROKERS) out.brokers = parseBrokerList(env.KAFKA_BROKERS)
  if (env.KAFKA_SSL) out.kafkaSsl = env.KAFKA_SSL === 'true' || env.KAFKA_SSL === '1'
  if (env.KAFKA_SASL_MECHANISM || env.KAFKA_SASL_USERNAME) {
    out.kafkaSasl = {
      mechanism: (env.KAFKA_SASL_MECHANISM ?? 'plain') as 'plain',
      username: env.KAFKA_SASL_USERNAME ?? '',
      password: env.KAFKA_SASL_PASSWORD ?? '',
    }
  }
  return out
}

/**
 * TICKFLOW_LOG_LEVEL checked by the settings' own schema, here rather than in resolveSettings: a
 * flag would hide a bad value there, and the export face reads it without resolveSettings. Throws a
 * settings error naming the variable.
 */
function envLogLevel(value: string): Settings['logLevel'] {
  const r = settingsObject.shape.logLevel.safeParse(value)
  if (r.success) return r.data
  throw new z.ZodError(r.error.issues.map((i) => ({ ...i, path: ['TICKFLOW_LOG_LEVEL'] })))
}

/** The secrets the environment holds, for masking an error's text: never throws, even on a bad setting. */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return secretsOf({
    finnhubToken: env.FINNHUB_TOKEN,
    databaseUrl: env.DATABASE_URL,
    kafkaSasl: { password: env.KAFKA_SASL_PASSWORD },
  })
}

const flagSpec = {
  source: { type: 'string' },
  symbols: { type: 'string' },
  'replay-file': { type: 'string' },
  speed: { type: 'string' },
  record: { type: 'string' },
  'demo-rate': { type: 'string' },
  'finnhub-url': { type: 'string' },
  brokers: { type: 'string' },
  'kafka-port': { type: 'string' },
  topic: { type: 'string' },
  partitions: { type: 'string' },
  'group-id': { type: 'string' },
  role: { type: 'string' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'data-dir': { type: 'string' },
  duration: { type: 'string' },
  'log-level': { type: 'string' },
  'retention-days': { type: 'string' },
  'disk-budget-gb': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export interface ParsedFlags {
  help: boolean
  settings: Partial<SettingsInput>
}

/** Parses CLI flags into settings input; unknown flags and bad numbers throw with the flag's name. */
export function parseFlags(argv: string[]): ParsedFlags {
  const { values } = parseArgs({ args: argv, options: flagSpec, strict: true, allowPositionals: false })
  const s: Partial<SettingsInput> = {}
  const num = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number, got "${v}"`)
    return n
  }
  if (values.source) s.source = values.source as Settings['source']
  if (values.symbols !== undefined) s.symbols = parseSymbolList(values.symbols)
  if (values['replay-file']) s.replayFile = values['replay-file']
  if (values.speed) s.speed = values.speed === 'max' ? 'max' : num('speed', values.speed.replace(/x$/i, ''))
  if (values.record) s.recordFile = values.record
  s.demoRate = num('demo-rate', values['demo-rate'])
  if (values['finnhub-url']) s.finnhubUrl = values['finnhub-url']
  if (values.brokers) s.brokers = parseBrokerList(values.brokers)
  s.kafkaPort = num('kafka-port', values['kafka-port'])
  if (values.topic) s.topic = values.topic
  s.partitions = num('partitions', values.partitions)
  if (values['group-id']) s.groupId = values['group-id']
  if (values.role) s.role = values.role as Settings['role']
  const conflict = roleFlagConflict(s.role, Object.keys(values))
  if (conflict) throw new Error(conflict)
  if (values['database-url']) s.databaseUrl = values['database-url']
  if (values.schema) s.pgSchema = values.schema
  if (values['data-dir']) s.dataDir = values['data-dir']
  s.duration = num('duration', values.duration)
  if (values['log-level']) s.logLevel = values['log-level'] as Settings['logLevel']
  s.retentionDays = num('retention-days', values['retention-days'])
  s.diskBudgetGb = num('disk-budget-gb', values['disk-budget-gb'])
  for (const k of Object.keys(s) as (keyof typeof s)[]) if (s[k] === undefined) delete s[k]
  return { help: values.help ?? false, settings: s }
}

/**
 * Secrets given as flags: the command line of a process is visible to every user of the machine
 * (`ps`, /proc) for the whole run, so each is a warning that names a private place instead.
 */
export function flagSecretWarnings(flags: Partial<SettingsInput>): string[] {
  const hasPassword = (url: string | undefined): boolean =>
    URL.canParse(url ?? '') && new URL(url!).password !== ''
  const hasToken = (url: string | undefined): boolean =>
    URL.canParse(url ?? '') && new URL(url!).searchParams.has('token')
  const seen = 'any user of this machine can read it in `ps` while Tickflow runs'
  const out: string[] = []
  if (hasPassword(flags.databaseUrl))
    out.push(`--database-url holds a password: ${seen}; give it in DATABASE_URL or PGPASSWORD instead`)
  if (hasToken(flags.finnhubUrl))
    out.push(
      `--finnhub-url holds a token: ${seen}; give it in FINNHUB_TOKEN or in the dashboard's Source instead`,
    )
  return out
}

/**
 * Defaults < settings file < environment < flags, validated as a whole. A bare file name for
 * recording or replay is one of the recordings (pipeline/sources/recordings.ts).
 */
export function resolveSettings(
  flags: Partial<SettingsInput>,
  env: NodeJS.ProcessEnv = process.env,
  file: Partial<SettingsInput> = {},
): Settings {
  const s = settingsSchema.parse({ ...file, ...settingsFromEnv(env), ...flags })
  if (s.recordFile) s.recordFile = recordingFilePath(s.dataDir, s.recordFile)
  if (s.replayFile) s.replayFile = recordingFilePath(s.dataDir, s.replayFile)
  return s
}
