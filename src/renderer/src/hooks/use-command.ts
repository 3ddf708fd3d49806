import { useCallback, useState } from 'react'
import { errorMessage } from '../state/errors'

export interface Command<A extends unknown[], R> {
  /** runs the command; resolves to its result, or undefined when it failed (the error is kept) */
  run: (...args: A) => Promise<R | undefined>
  pending: boolean
  /** the server's message of the last failure, shown beside the control that caused it */
  error: string | null
  clearError: () => void
}

/**
 * Wraps an api call for a control: pending while it runs, and its failure kept as a message
 * rather than an unhandled rejection or a console error.
 */
export function useCommand<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Command<A, R> {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true)
      setError(null)
      try {
        return await fn(...args)
      } catch (e) {
        setError(errorMessage(e))
        return undefined
      } finally {
        setPending(false)
      }
    },
    [fn],
  )
  const clearError = useCallback(() => setError(null), [])
  return { run, pending, error, clearError }
}
