import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

// The built renderer as files under one root, for both faces that serve it: browser mode's HTTP
// server (server/http-server.ts) and the desktop window's app:// scheme (shell/app-protocol.ts).

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The file a URL path names inside root, or null when it names nothing we serve: a `..` segment
 * (plain or percent-encoded), a backslash, a NUL, a bad escape or a dot-file. `/` is index.html.
 */
export function staticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (!decoded.startsWith('/') || decoded.includes('\\') || decoded.includes('\0')) return null
  const segments = decoded.split('/').filter((s) => s !== '')
  if (segments.some((s) => s.startsWith('.'))) return null
  if (segments.length === 0) segments.push('index.html')
  const full = resolve(root, ...segments)
  return isInside(root, full) ? full : null
}

function isInside(root: string, full: string): boolean {
  const rel = relative(resolve(root), full)
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel)
}

/** The same check after symlinks are followed: a link inside root must not lead out of it. */
export async function realInside(root: string, file: string): Promise<boolean> {
  try {
    return isInside(await realpath(root), await realpath(file))
  } catch {
    return false
  }
}

/**
 * The regular file a URL path names under root, after every check: staticPath's, that it is a
 * file (not a dir), and that no symlink leads it out of root. Null for anything else.
 */
export async function staticFile(root: string, urlPath: string): Promise<string | null> {
  const file = staticPath(root, urlPath)
  const info = file ? await stat(file).catch(() => null) : null
  if (!file || !info?.isFile() || !(await realInside(root, file))) return null
  return file
}
