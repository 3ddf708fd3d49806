import { readFile } from 'node:fs/promises'
import type { Protocol } from 'electron'
import { contentType, staticFile } from '../base/static-files'
import { APP_HOST, APP_SCHEME } from './trusted-url'

// The window loads the built renderer from app://tickflow/, not file://: a file: page can read
// other local files and loads from app.asar only through file:'s extra privileges, which the
// packaged binary's fuse turns off (electron-builder.yml). The scheme serves out/renderer and
// nothing else, by the same path rules as browser mode's server (base/static-files.ts).

/**
 * Before `ready`: app: is standard (an origin, relative URLs, module scripts from 'self') and
 * secure (a secure context, like https). No corsEnabled: that would let another origin read it,
 * and no supportFetchAPI: the page fetches none of its own files.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }])
}

/** After `ready`: app://tickflow/… answers with the files under root (out/renderer). */
export function serveAppScheme(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(request, root))
}

const plain = (status: number, body: string): Response =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })

/**
 * One request to app:. Files are read with fs, which reads inside app.asar in Electron's main
 * process (net.fetch of a file: URL would depend on the file: privileges the fuse removes).
 */
export async function appResponse(request: Request, root: string): Promise<Response> {
  const url = new URL(request.url)
  if (url.host !== APP_HOST) return plain(404, 'Not found\n')
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed\n')
  // Chromium sends app://tickflow/ for the bare origin; Node's parser leaves that path empty.
  const file = await staticFile(root, url.pathname || '/')
  if (!file) return plain(404, 'Not found\n')
  const body = await readFile(file).catch(() => null)
  if (!body) return plain(404, 'Not found\n')
  return new Response(request.method === 'HEAD' ? null : body, {
    headers: { 'Content-Type': contentType(file), 'X-Content-Type-Options': 'nosniff' },
  })
}
