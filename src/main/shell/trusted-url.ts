import { pathToFileURL } from 'node:url'

/**
 * Where the renderer may legitimately be: the built index.html, or (unpacked only) the dev
 * server's origin. Everything else is foreign: it gets no IPC, no navigation and no window.
 */
export type AppLocation = { kind: 'file'; url: string } | { kind: 'dev'; origin: string; url: string }

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

// A URL with a user part names another host than it seems to (http://localhost:5173@evil.example).
const hasCredentials = (u: URL): boolean => u.username !== '' || u.password !== ''

/**
 * The app's location. The dev server is trusted only in an unpacked app and only on loopback over
 * http(s): an ELECTRON_RENDERER_URL that names another host must not make the shell trust it.
 */
export function appLocation(opts: { devUrl?: string; packaged: boolean; indexFile: string }): AppLocation {
  const dev = !opts.packaged && opts.devUrl ? parse(opts.devUrl) : null
  if (dev && /^https?:$/.test(dev.protocol) && LOOPBACK.has(dev.hostname) && !hasCredentials(dev))
    return { kind: 'dev', origin: dev.origin, url: dev.href }
  return { kind: 'file', url: pathToFileURL(opts.indexFile).href }
}

/**
 * True when `url` is the app itself: the exact dev origin, or the exact index.html file (any
 * query or fragment). A file URL has the origin "null", so files compare by their path.
 */
export function isAppUrl(url: string, app: AppLocation): boolean {
  const u = parse(url)
  if (!u || hasCredentials(u)) return false
  if (app.kind === 'dev') return u.origin === app.origin
  const own = new URL(app.url)
  return u.protocol === 'file:' && u.host === own.host && u.pathname === own.pathname
}

/** A link the user's browser may open: https only, with no user part. */
export function isExternalLink(url: string): boolean {
  const u = parse(url)
  return u !== null && u.protocol === 'https:' && !hasCredentials(u)
}
