// latest.json keys and latest.md rows of the recovery and idempotence phases (issue 8).
import type { IdempotenceResult } from './idempotence'
import { fmt } from './log'
import type { RecoveryResult } from './recovery'

export interface FaultKeys {
  /** median pause in writes, seconds: last batch written before the kill → first batch after it */
  recovery_s?: { pg_restart: number; broker_kill: number } | null
  recovery_detail?: (RecoveryResult & { at: string }) | null
  /** the writer's rate with the unique trade_id (ON CONFLICT) and without it, same run */
  idempotent_write_trades_per_s?: { with_unique: number; without_unique: number; cost_pct: number } | null
  idempotence_detail?: (IdempotenceResult & { at: string }) | null
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d

export function recoveryKeys(r: RecoveryResult | null): FaultKeys {
  if (!r) return {}
  return {
    recovery_s: { pg_restart: round(r.medianS.pg_restart), broker_kill: round(r.medianS.broker_kill) },
    recovery_detail: { ...r, at: new Date().toISOString() },
  }
}

export function idempotenceKeys(r: IdempotenceResult | null): FaultKeys {
  if (!r) return {}
  return {
    idempotent_write_trades_per_s: {
      with_unique: round(r.withUniquePerS, 0),
      without_unique: round(r.withoutUniquePerS, 0),
      cost_pct: round(r.costPct, 1),
    },
    idempotence_detail: { ...r, at: new Date().toISOString() },
  }
}

/** The two phases' table, or nothing when neither has run. */
export function faultRows(r: FaultKeys): string[] {
  const rec = r.recovery_detail
  const idem = r.idempotence_detail
  if (!rec && !idem) return []
  const secs = (xs: { recoveryS: number }[]): string => xs.map((x) => fmt(x.recoveryS, 1)).join(', ')
  return [
    '| fault or path | value | runs | |',
    '| --- | --- | --- | --- |',
    ...(rec
      ? [
          `| recovery: embedded PostgreSQL SIGKILLed and restarted by its supervisor (${rec.at}, ${fmt(rec.offeredPerS)} trades/s offered) | ` +
            `${fmt(rec.medianS.pg_restart, 1)} s | ${secs(rec.runs.pg_restart)} s | |`,
          `| recovery: managed broker SIGKILLed and restarted by its supervisor | ${fmt(rec.medianS.broker_kill, 1)} s | ` +
            `${secs(rec.runs.broker_kill)} s | |`,
          `| recovery: trades sent / rows stored over all the kills | ${fmt(rec.sent)} / ${fmt(rec.stored)} | | |`,
        ]
      : []),
    ...(idem
      ? [
          `| writer with the unique trade_id / without it (${idem.at}, ${fmt(idem.trades)} trades per run) | ` +
            `${fmt(idem.withUniquePerS)} / ${fmt(idem.withoutUniquePerS)} trades/s | ` +
            `${idem.runs.map((x) => `${x.variant === 'with_unique' ? 'u' : 'n'} ${fmt(x.tradesPerS)}`).join(', ')} | |`,
          `| cost of the idempotent path | ${fmt(idem.costPct, 1)} % of write throughput | | |`,
        ]
      : []),
  ]
}
