// kafkajs 2.2.4 schedules its request queue's next check with a negative delay after every response
// (tulios/kafkajs#1751, open and unfixed). Node clamps such a delay to 1 ms, as it always did, but
// since Node 24 it also prints a TimeoutNegativeWarning to stderr for it. This drops that one warning
// when kafkajs raised it, and lets every other warning through, including ours.

type EmitWarning = typeof process.emitWarning

let installed = false

/** The warning's type, from either form of process.emitWarning's second argument. */
function warningType(warning: string | Error, rest: unknown[]): string | undefined {
  if (warning instanceof Error) return warning.name
  const second = rest[0]
  if (typeof second === 'string') return second
  if (second && typeof second === 'object' && 'type' in second) return String(second.type)
  return undefined
}

/** Installs the filter once per process or worker thread (each has its own `process` methods). */
export function quietKafkajsNegativeTimeouts(): void {
  if (installed) return
  installed = true
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (
      warningType(warning, rest) === 'TimeoutNegativeWarning' &&
      /[\\/]kafkajs[\\/]/.test(new Error().stack ?? '')
    )
      return
    emit(warning, ...rest)
  }) as EmitWarning
}
