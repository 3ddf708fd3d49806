/**
 * Where the renderer may legitimately be: our app:// origin (app-protocol.ts serves the built
 * renderer there), or (unpacked only) the dev server's origin. Everything else is foreign: it gets
 * no IPC, no navigation and no window.
 */
export type AppLocation = { kind: 'app' | 'dev'; origin: string; url: string }

/** The app's own scheme and host: app://tickflow/ is the built renderer's index.html. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'tickflow'
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

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
export function appLocation(opts: { devUrl?: string; packaged: boolean }): AppLocation {
  const dev = !opts.packaged && opts.devUrl ? parse(opts.devUrl) : null
  if (dev && /^https?:$/.test(dev.protocol) && LOOPBACK.has(dev.hostname) && !hasCredentials(dev))
    return { kind: 'dev', origin: dev.origin, url: dev.href }
  return { kind: 'app', origin: APP_ORIGIN, url: `${APP_ORIGIN}/` }
}

/**
 * The origin of a URL, to compare exactly. Node's URL gives "null" as the origin of a scheme it
 * does not know (app:), where Chromium (app: registered standard) gives app://tickflow; so for app:
 * it is built from the parsed host, port included. Node leaves that host's case alone, so a URL
 * Chromium would have lower-cased first is refused rather than trusted.
 */
function originOf(u: URL): string {
  return u.protocol === `${APP_SCHEME}:` ? `${APP_SCHEME}://${u.host}` : u.origin
}

/** True when `url` is the app itself: its exact origin (any path, query or fragment), no user part. */
export function isAppUrl(url: string, app: AppLocation): boolean {
  const u = parse(url)
  return u !== null && !hasCredentials(u) && originOf(u) === app.origin
}

/** A link the user's browser may open: https only, with no user part. */
export function isExternalLink(url: string): boolean {
  const u = parse(url)
  return u !== null && u.protocol === 'https:' && !hasCredentials(u)
}
