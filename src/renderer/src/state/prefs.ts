import { z } from 'zod'
import { LATENCY_STAGES } from '@shared/kpi'
import { watchRequestSchema } from '@shared/windows'
import type { DashboardState } from './dashboard'

/** The view choices a page refresh keeps (localStorage): what is watched and how it is shown. */
export const PREFS_KEY = 'tickflow.prefs.v1'

const scale = z.enum(['linear', 'log', 'normalised'])
const fields = {
  watch: watchRequestSchema,
  timeZone: z.enum(['local', 'utc']),
  sideCollapsed: z.boolean(),
  priceScale: z.object({ 'avg-price': scale, 'price-range': scale }),
  latencyStage: z.enum(LATENCY_STAGES),
}
type Prefs = Pick<DashboardState, keyof typeof fields>
const KEYS = Object.keys(fields) as (keyof Prefs)[]

export function prefsOf(s: DashboardState): Prefs {
  return {
    watch: s.watch,
    timeZone: s.timeZone,
    sideCollapsed: s.sideCollapsed,
    priceScale: s.priceScale,
    latencyStage: s.latencyStage,
  }
}

/** The stored prefs that are still valid, each on its own: one bad field does not lose the rest. */
export function parsePrefs(text: string | null): Partial<Prefs> {
  if (!text) return {}
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return {}
  }
  if (typeof raw !== 'object' || raw === null) return {}
  const out: Record<string, unknown> = {}
  for (const key of KEYS) {
    const parsed = fields[key].safeParse((raw as Record<string, unknown>)[key])
    if (parsed.success) out[key] = parsed.data
  }
  return out as Partial<Prefs>
}

export function withPrefs(s: DashboardState, prefs: Partial<Prefs>): DashboardState {
  return { ...s, ...prefs }
}

/** Reads the prefs from a storage that may be missing or refuse access (a sandboxed page). */
export function readPrefs(storage: () => Pick<Storage, 'getItem'> | undefined): Partial<Prefs> {
  try {
    return parsePrefs(storage()?.getItem(PREFS_KEY) ?? null)
  } catch {
    return {}
  }
}

/** Writes the prefs; a full or refused storage only loses them. */
export function writePrefs(storage: () => Pick<Storage, 'setItem'> | undefined, s: DashboardState): void {
  try {
    storage()?.setItem(PREFS_KEY, JSON.stringify(prefsOf(s)))
  } catch {
    // Only the prefs are lost (the next start uses the defaults): they are a convenience.
  }
}
