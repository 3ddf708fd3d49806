// Browser mode's Content-Security-Policy header, derived from the page's own meta tag.

const CSP_META = /<meta\s[^>]*http-equiv=["']?Content-Security-Policy["']?[^>]*\scontent=(["'])(.*?)\1/is
const FALLBACK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"

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
