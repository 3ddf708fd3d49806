/** Whether binding here keeps the dashboard on this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** The host as a browser should type it: a wildcard bind is reached through loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * Whether the dashboard's URL may use its own name under `localhost` rather than the address: on
 * the default loopback bind over plain HTTP, where a browser resolves `*.localhost` to 127.0.0.1
 * itself. (A certificate names its own hosts; another loopback address is not where the name leads.)
 */
export function usesOwnName(bindHost: string, secure: boolean): boolean {
  return !secure && (bindHost === '127.0.0.1' || bindHost === 'localhost')
}

/**
 * Which Host headers a loopback server answers: its loopback names and `ownNames` (its name under
 * localhost) with its port (bare on the scheme's default port). Under DNS rebinding an attacker's
 * name resolves to 127.0.0.1, and the browser sends that name as Host and Origin alike; only this
 * check tells it apart. A server bound to the network answers any name: its clients choose how they
 * reach it, and TLS and the token guard it.
 */
export function hostCheck(
  bindHost: string,
  port: () => number,
  secure: boolean,
  ownNames: readonly string[] = [],
): (host?: string) => boolean {
  if (!isLoopback(bindHost)) return () => true
  const names = new Set([
    '127.0.0.1',
    'localhost',
    '[::1]',
    urlHost(bindHost),
    ...ownNames.map((n) => n.toLowerCase()),
  ])
  return (header) => {
    if (!header) return false
    const h = header.toLowerCase()
    const p = port()
    const colon = h.lastIndexOf(':')
    // [::1] has colons of its own; its port comes after the bracket
    const bare = colon > h.lastIndexOf(']') ? h.slice(0, colon) : h
    const given = colon > h.lastIndexOf(']') ? h.slice(colon + 1) : String(secure ? 443 : 80)
    return names.has(bare) && given === String(p)
  }
}
