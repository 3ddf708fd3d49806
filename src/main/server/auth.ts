import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { writeFileAtomic } from '../base/atomic-file'

/**
 * Browser mode's access token: made at start, handed to the user once in the printed URL, then
 * carried by an HttpOnly cookie. Everything the server offers (pages, assets, the API socket) needs it.
 */
export const TOKEN_COOKIE = 'tickflow_token'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

const TOKEN_FILE = 'dashboard-token'
const HOST_FILE = 'dashboard-host'
const HOST_LABEL = /^tf-[0-9a-f]{12}$/

export interface DashboardToken {
  token: string
  /** made now: on first use, on request (`--new-token`), or because the file held no token */
  made: boolean
  path: string
  /**
   * This data dir's own host name, `tf-<random>.localhost`: the browser scopes the cookie to a
   * host, not to a port, so on 127.0.0.1 another local user's server on another port would get it.
   * Kept beside the token so bookmarks keep working; replaced with it.
   */
  hostName: string
}

/**
 * The token of a data dir's dashboard, made on first use and kept (mode 600) in the data dir, so an
 * open tab reconnects after `serve` restarts instead of being locked out by a new token. `rotate`
 * makes a new one: every browser that had the old one must open the new URL.
 */
export async function dashboardToken(
  dataDir: string,
  opts: { rotate?: boolean } = {},
): Promise<DashboardToken> {
  const path = join(dataDir, TOKEN_FILE)
  // a missing file is the first use
  const kept = opts.rotate ? '' : await readKept(path)
  const keptLabel = opts.rotate ? '' : await readKept(join(dataDir, HOST_FILE))
  const label = HOST_LABEL.test(keptLabel) ? keptLabel : `tf-${randomBytes(6).toString('hex')}`
  if (label !== keptLabel) {
    await mkdir(dataDir, { recursive: true })
    await writeFileAtomic(join(dataDir, HOST_FILE), label + '\n', { mode: 0o600 })
  }
  const hostName = `${label}.localhost`
  if (/^[A-Za-z0-9_-]{32,}$/.test(kept)) return { token: kept, made: false, path, hostName }
  const token = newToken()
  await mkdir(dataDir, { recursive: true })
  await writeFileAtomic(path, token + '\n', { mode: 0o600 })
  return { token, made: true, path, hostName }
}

const readKept = async (path: string): Promise<string> =>
  (await readFile(path, 'utf8').catch(() => '')).trim()

/** Constant time whatever the inputs: both sides are hashed to the same length first. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * `secure`: served over HTTPS, so the browser must never send the cookie over plain HTTP. No Domain
 * attribute: the cookie is host-only, sent back to this very host name and no other.
 */
export function authCookie(token: string, secure = false): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`
}

/** A request's path and query, split without resolving it against any host. */
export function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const raw = url ?? '/'
  const q = raw.indexOf('?')
  return q < 0
    ? { path: raw, query: new URLSearchParams() }
    : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) }
}

/** Whether the request carries the token, in its cookie or in ?token=. */
export function isAuthorized(req: IncomingMessage, token: string): boolean {
  const fromQuery = splitUrl(req.url).query.get('token')
  if (fromQuery !== null) return tokensEqual(fromQuery, token)
  const fromCookie = cookieValue(req.headers.cookie, TOKEN_COOKIE)
  return fromCookie !== undefined && tokensEqual(fromCookie, token)
}
