import { parseArgs } from 'node:util'
import { isLoopback } from './host-check'

export interface ServeFlags {
  port: number
  host: string
  /** PEM files to serve HTTPS with; required for a host other than loopback */
  tls: { certFile: string; keyFile: string } | null
  /** replace the data dir's dashboard token before serving */
  newToken: boolean
  /** start the pipeline as soon as the core is up, without waiting for a Start (systemd) */
  start: boolean
  /** everything else, as given, for the pipeline's own parseFlags */
  rest: string[]
}

const spec = {
  port: { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'new-token': { type: 'boolean' },
  start: { type: 'boolean' },
} as const
type ServeFlagName = keyof typeof spec
const isServeFlag = (name: string): name is ServeFlagName => Object.hasOwn(spec, name)

/**
 * Takes browser mode's own flags (`--port N`, `--host H`, `--tls-cert F`, `--tls-key F`, or with
 * `=`, and `--new-token`, `--start`) out of argv and leaves the rest untouched for the pipeline's parser, which
 * rejects anything it does not know.
 */
export function splitServeFlags(argv: string[]): ServeFlags {
  const { tokens } = parseArgs({
    args: argv,
    options: spec,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const taken = new Set<number>()
  const mine: string[] = []
  for (const t of tokens) {
    if (t.kind !== 'option' || !isServeFlag(t.name)) continue
    taken.add(t.index)
    if (spec[t.name].type === 'boolean') {
      if (t.inlineValue) throw new Error(`--${t.name} takes no value`)
      mine.push(`--${t.name}`)
      continue
    }
    if (t.value === undefined || t.value === '' || (!t.inlineValue && t.value.startsWith('-')))
      throw new Error(`--${t.name} needs a value`)
    if (!t.inlineValue) taken.add(t.index + 1)
    mine.push(`--${t.name}=${t.value}`)
  }
  // A flag given twice keeps its last value, as parseFlags does for the pipeline's flags.
  const { values } = parseArgs({ args: mine, options: spec, strict: true, allowPositionals: false })
  const port = Number(values.port ?? '0')
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535)
    throw new Error(`--port must be a port number (0–65535), got "${values.port}"`)
  const host = values.host ?? '127.0.0.1'
  const [certFile, keyFile] = [values['tls-cert'], values['tls-key']]
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new Error('--tls-cert and --tls-key go together: give both PEM files, or neither')
  const tls = certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : null
  // Plain HTTP to the network would carry the token, and the cookie after it, in clear.
  if (!tls && !isLoopback(host))
    throw new Error(
      `--host ${host} would send the dashboard's token over your network in clear: ` +
        'give --tls-cert FILE --tls-key FILE to serve HTTPS, or leave --host out to stay on this machine',
    )
  return {
    port,
    host,
    tls,
    newToken: values['new-token'] === true,
    start: values.start === true,
    rest: argv.filter((_, i) => !taken.has(i)),
  }
}

/**
 * What the printed URL comes with: how it is served, whose token it carries (so the user knows
 * whether other browsers must open the new address), and the address to fall back to when the URL
 * is the instance's own `*.localhost` name.
 */
export function describeAccess(
  flags: Pick<ServeFlags, 'host' | 'tls'>,
  token: { made: boolean; path: string },
  addressUrl: string | null = null,
): string {
  const how = flags.tls
    ? `HTTPS with ${flags.tls.certFile}; the token's cookie is Secure.`
    : `Plain HTTP on this machine only (${flags.host}); other machines need --host with --tls-cert and --tls-key.`
  const whose = token.made
    ? `A new token, kept in ${token.path}: a browser that had an older one must open this address.`
    : `The token kept in ${token.path}; --new-token replaces it.`
  const fallback = addressUrl
    ? `\nA browser that does not resolve *.localhost names itself (Chromium and Firefox do) can open ${addressUrl}; ` +
      'there the cookie also reaches any other server on 127.0.0.1.'
    : ''
  return `${how}\n${whose}${fallback}`
}
