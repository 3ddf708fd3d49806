import { parseArgs } from 'node:util'

/** The phases `--only` can run alone. */
export const ONLY_PHASES = ['ui', 'recovery', 'idempotence', 'storage'] as const
export type OnlyPhase = (typeof ONLY_PHASES)[number]

export interface BenchArgs {
  trades: number
  rate: number
  latencySeconds: number
  perRowTrades: number
  /** the per-row reference also stops after this long; it is the slow one */
  perRowSeconds: number
  kpiRows: number[]
  kpiSpanHours: number
  kpiRepeats: number
  skipKpi: boolean
  skipUi: boolean
  /** length of the ui phase's measured interval, in minutes (fractions allowed) */
  uiMinutes: number
  /** trades/s the simulator offers during the recovery phase */
  recoveryRate: number
  /** kills of each kind in the recovery phase */
  recoveryRepeats: number
  skipRecovery: boolean
  /** trades each run of the idempotence phase writes */
  idempotenceTrades: number
  /** runs of each variant (with and without the unique trade_id) */
  idempotenceRepeats: number
  skipIdempotence: boolean
  /** trades a day of the storage phase's simulated month holds */
  storageDayTrades: number
  skipStorage: boolean
  /** run only this phase and merge its keys into the previous latest.json */
  only?: OnlyPhase
  brokers?: string[]
  databaseUrl?: string
  partitions: number
  out: string
}

const HELP = `npm run bench -- [flags]
  --trades N            trades replayed end to end (default 1000000)
  --rate N              offered load of the latency phase, trades/s (default 5000)
  --latency-seconds N   length of the latency phase (default 30)
  --per-row-trades N    cap of the per-row INSERT+COMMIT reference (default 20000)
  --per-row-seconds N   time cap of that reference (default 60)
  --kpi-rows A,B        stored trades for the KPI snapshot timings (default 1000000,10000000)
  --kpi-span-hours N    hours the synthetic KPI rows span; the window is the last one (default 24)
  --kpi-repeats N       timed snapshots per size; the median is reported (default 9)
  --skip-kpi            skip the KPI phase
  --skip-ui             skip the ui phase (the dashboard in Chromium over npm run serve)
  --ui-minutes N        measured interval of the ui phase, minutes; fractions allowed (default 10)
  --recovery-rate N     trades/s offered during the recovery phase (default 2000)
  --recovery-repeats N  PostgreSQL restarts and broker kills each in the recovery phase (default 3)
  --skip-recovery       skip the recovery phase
  --idempotence-trades N  trades per run of the idempotence phase (default 300000)
  --idempotence-repeats N runs of each variant, with and without the unique trade_id (default 3)
  --skip-idempotence    skip the idempotence phase
  --storage-day-trades N  trades per day of the storage phase's simulated month of 30 days (default 1000000)
  --skip-storage        skip the storage phase (bytes per trade, removing a day under load)
  --only PHASE          run only ui, recovery, idempotence or storage; its keys replace those of the previous
                        latest.json
  --brokers h:p,…       an existing Kafka cluster instead of a local broker
  --database-url URL    an existing PostgreSQL (default DATABASE_URL, else embedded)
  --partitions N        partitions of each bench topic (default 3)
  --out DIR             where latest.json and latest.md go (default bench/results)`

function int(name: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def
  const n = Number(v.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`)
  return n
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      trades: { type: 'string' },
      rate: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'per-row-trades': { type: 'string' },
      'per-row-seconds': { type: 'string' },
      'kpi-rows': { type: 'string' },
      'kpi-span-hours': { type: 'string' },
      'kpi-repeats': { type: 'string' },
      'skip-kpi': { type: 'boolean' },
      'skip-ui': { type: 'boolean' },
      'ui-minutes': { type: 'string' },
      'recovery-rate': { type: 'string' },
      'recovery-repeats': { type: 'string' },
      'skip-recovery': { type: 'boolean' },
      'idempotence-trades': { type: 'string' },
      'idempotence-repeats': { type: 'string' },
      'skip-idempotence': { type: 'boolean' },
      'storage-day-trades': { type: 'string' },
      'skip-storage': { type: 'boolean' },
      only: { type: 'string' },
      brokers: { type: 'string' },
      'database-url': { type: 'string' },
      partitions: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    console.log(HELP)
    process.exit(0)
  }
  const kpiRows = (values['kpi-rows'] ?? '1000000,10000000')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => int('kpi-rows', s.trim(), 0, 1000))
  const uiMinutes = Number(values['ui-minutes'] ?? '10')
  if (!Number.isFinite(uiMinutes) || uiMinutes < 0.25 || uiMinutes > 120)
    throw new Error(`--ui-minutes must be a number from 0.25 to 120, got ${values['ui-minutes']}`)
  const only = values.only as OnlyPhase | undefined
  if (only !== undefined && !ONLY_PHASES.includes(only))
    throw new Error(`--only takes one phase (${ONLY_PHASES.join(', ')}); got ${only}`)
  if (only && values[`skip-${only}`])
    throw new Error(`--only ${only} and --skip-${only} contradict each other`)
  const brokers = values.brokers ?? process.env['KAFKA_BROKERS']
  return {
    trades: int('trades', values.trades, 1_000_000, 1000),
    rate: int('rate', values.rate, 5_000),
    latencySeconds: int('latency-seconds', values['latency-seconds'], 30, 5),
    perRowTrades: int('per-row-trades', values['per-row-trades'], 20_000, 100),
    perRowSeconds: int('per-row-seconds', values['per-row-seconds'], 60, 5),
    kpiRows,
    kpiSpanHours: int('kpi-span-hours', values['kpi-span-hours'], 24),
    kpiRepeats: int('kpi-repeats', values['kpi-repeats'], 9),
    skipKpi: values['skip-kpi'] ?? false,
    skipUi: values['skip-ui'] ?? false,
    uiMinutes,
    recoveryRate: int('recovery-rate', values['recovery-rate'], 2_000),
    recoveryRepeats: int('recovery-repeats', values['recovery-repeats'], 3),
    skipRecovery: values['skip-recovery'] ?? false,
    idempotenceTrades: int('idempotence-trades', values['idempotence-trades'], 300_000, 1000),
    idempotenceRepeats: int('idempotence-repeats', values['idempotence-repeats'], 3),
    skipIdempotence: values['skip-idempotence'] ?? false,
    storageDayTrades: int('storage-day-trades', values['storage-day-trades'], 1_000_000, 1000),
    skipStorage: values['skip-storage'] ?? false,
    ...(only ? { only } : {}),
    brokers: brokers?.trim() ? brokers.split(',').map((b) => b.trim()) : undefined,
    databaseUrl: values['database-url'] ?? (process.env['DATABASE_URL'] || undefined),
    partitions: int('partitions', values.partitions, 3),
    out: values.out ?? 'bench/results',
  }
}
