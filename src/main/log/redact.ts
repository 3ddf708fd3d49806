// Secrets out of every text Tickflow writes: log lines, status details, error messages, the CLI's
// output. The one place that knows how a secret is masked.

export const REDACTED = '[redacted]'

/** Keys whose values are secrets wherever they sit in a logged object. */
const SECRET_KEY = /pass(word|wd)?$|^pwd$|secret|token|credential|api[_-]?key/i

// user:password@ in any URL (postgres://u:pw@h, amqp://…). The password stops at @ / space or quote,
// so a JSON line's next field is never swallowed.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)[^\s@/"']*@/gi
// token=… password=… PGPASSWORD=… as query strings, libpq strings or environment lines.
const SECRET_ASSIGNMENT = /([\w.-]*(?:token|passw(?:or)?d|pwd|secret|api[_-]?key)=)[^&\s"'#;,]+/gi
// "password": "…" quoted inside a text (an error quoting JSON), escaped or not.
const SECRET_JSON_FIELD = /(\\?"[\w.-]*(?:token|passw(?:or)?d|secret)\\?"\s*:\s*\\?")[^"\\]+/gi

export interface SecretSources {
  finnhubToken?: string
  kafkaSasl?: { password?: string }
  databaseUrl?: string
}

/** The secret values a configuration holds: the Finnhub token, the Kafka and PostgreSQL passwords. */
export function secretsOf(s: SecretSources): string[] {
  const out = [s.finnhubToken, s.kafkaSasl?.password, urlPassword(s.databaseUrl)]
  return out.filter((v): v is string => typeof v === 'string' && v.length > 0)
}

function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const pw = new URL(url).password
    return pw ? decodeURIComponent(pw) : undefined
  } catch {
    return undefined
  }
}

/** Each way a secret may be spelled in text: as is, JSON-escaped, percent- or form-encoded. */
function spellings(secret: string): string[] {
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]
  // Longest first, so a longer spelling is not half-replaced through a shorter one inside it.
  return [...new Set(forms)].sort((a, b) => b.length - a.length)
}

/** The text with known secrets, URL passwords, `token=` style assignments and secret JSON fields masked. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text
  for (const secret of secrets) {
    if (!secret) continue
    for (const form of spellings(secret)) out = out.split(form).join(REDACTED)
  }
  return out
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(SECRET_ASSIGNMENT, `$1${REDACTED}`)
    .replace(SECRET_JSON_FIELD, `$1${REDACTED}`)
}

/**
 * A deep copy with secret-named keys masked and every string passed through redactText. Errors
 * become plain objects (type, message, stack and their own fields), since their message and stack
 * are not enumerable and would otherwise be copied as nothing, or logged unmasked.
 */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets)
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`
  if (depth > 8) return '[too deep]'
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1))
  const source: Record<string, unknown> =
    value instanceof Error
      ? { ...value, type: value.name, message: value.message, stack: value.stack }
      : (value as Record<string, unknown>)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(source)) {
    out[k] =
      SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, secrets, depth + 1)
  }
  return out
}

/**
 * A URL for messages and status: its password and its `token` parameter (Finnhub's) become ***.
 * Not a URL at all: the same two masked by pattern.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    if (u.searchParams.has('token')) u.searchParams.set('token', '***')
    return u.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@').replace(/([?&]token=)[^&#]*/gi, '$1***')
  }
}

// Which secrets the process knows now: the open log's (log/logger.ts says, as it opens and closes).
let knownSecrets: () => readonly string[] = () => []

/** For log/logger.ts: where maskSecrets finds the secrets of the open log. */
export function setSecretSource(source: () => readonly string[]): void {
  knownSecrets = source
}

/** The text with the open log's known secrets (and any URL password or token=) masked, for stdout and errors. */
export function maskSecrets(text: string): string {
  return redactText(text, knownSecrets())
}
