/** Parsing of the side panel's small inputs; the server still validates every value. */

export const REPLAY_SPEEDS = ['1', '10', '100', 'max'] as const
export type ReplaySpeedOption = (typeof REPLAY_SPEEDS)[number]

/** The replay speed select's value for a configured speed (an unusual number shows as itself). */
export function speedOption(speed: number | 'max'): string {
  return String(speed)
}

/** The configured speed for a select value. */
export function parseSpeed(value: string): number | 'max' | null {
  if (value === 'max') return 'max'
  const n = Number(value)
  return Number.isFinite(n) && n > 0 ? n : null
}

export type NumberCheck = { ok: true; value: number } | { ok: false; message: string }

/** A number typed in an input: empty or non-numeric text gets a sentence, not NaN. */
export function parseNumberInput(text: string): NumberCheck {
  const t = text.trim()
  if (t === '') return { ok: false, message: 'enter a number' }
  const n = Number(t)
  if (!Number.isFinite(n)) return { ok: false, message: `"${t}" is not a number` }
  return { ok: true, value: n }
}
