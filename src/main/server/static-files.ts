import { realpath } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

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

const CSP_META = /<meta\s[^>]*http-equiv=["']?Content-Security-Policy["']?[^>]*\scontent=(["'])(.*?)\1/is
const FALLBACK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"

/**
 * The header CSP for browser mode: the page's own meta CSP (so the two never drift apart) with
 * connect-src narrowed to 'self', which covers the same-origin /api socket, plus what only a header
 * can say (frame-ancestors).
 */
export function headerCsp(indexHtml: string): string {
  const meta = CSP_META.exec(indexHtml)?.[2]?.replace(/\s+/g, ' ').trim()
  const directives = (meta || FALLBACK_CSP)
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^frame-ancestors\b/i.test(d))
    .map((d) => (/^connect-src\b/i.test(d) ? "connect-src 'self'" : d))
  if (!directives.some((d) => d.startsWith('connect-src'))) directives.push("connect-src 'self'")
  return [...directives, "frame-ancestors 'none'"].join('; ')
}
