import { randomBytes } from 'node:crypto'
import { COMMAND_NAMES, type CommandName } from '../../shared/channels'
import { commandSchemas, type ApiError, type ApiHandlers, type CallContext } from '../../shared/contract'
import { appLog } from '../log/logger'
import { maskSecrets } from '../log/redact'

/** A request the caller got wrong; its message is safe to show as is. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

/**
 * A command that failed for a reason written for the user: the pipeline could not start because
 * Kafka or PostgreSQL cannot be reached, say. Its message is shown, secrets masked.
 */
export class CommandFailedError extends Error {}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name)
}

/**
 * The one door into the handlers for every transport (Electron IPC, browser mode's WebSocket):
 * the command must exist and its payload must pass the contract's schema. `ctx` says which client
 * called (per-client state such as a watch hangs on it) and reaches the handler as its second argument.
 */
export async function dispatch(
  handlers: ApiHandlers,
  name: unknown,
  payload: unknown,
  ctx?: CallContext,
): Promise<unknown> {
  if (!isCommandName(name)) throw new ApiRequestError(`unknown command: ${String(name)}`)
  const parsed = commandSchemas[name].safeParse(payload)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue?.path.join('.') || undefined
    throw new ApiRequestError(`${field ? field + ': ' : ''}${issue?.message ?? 'invalid request'}`, field)
  }
  const handler = handlers[name] as (req: unknown, ctx?: CallContext) => Promise<unknown>
  return handler(parsed.data, ctx)
}

/**
 * What crosses the wire when a command fails: a sentence, never a stack. An error nobody wrote for
 * the user (a file's path, PostgreSQL's own words) stays in the log, and the client gets its
 * reference there.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiRequestError)
    return { message: err.message, ...(err.field ? { field: err.field } : {}) }
  if (err instanceof CommandFailedError) return { message: maskSecrets(err.message) }
  return { message: unexpectedError(err, 'a command failed') }
}

/** Logs an unexpected error under a new reference, and says where to find it. */
export function unexpectedError(err: unknown, what: string): string {
  const ref = randomBytes(4).toString('hex')
  appLog('api').error({ err, ref }, `${what} (ref ${ref})`)
  return `internal error (ref ${ref}): the log has the details`
}
