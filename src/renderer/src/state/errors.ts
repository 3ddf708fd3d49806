/** The sentence to show for a failed command: the server's message, or a fallback. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error && e.message) return e.message
  if (typeof e === 'string' && e) return e
  if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string' && e.message)
    return e.message
  return 'the command failed'
}
