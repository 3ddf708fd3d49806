import { parseArgs } from 'node:util'

export interface ServeFlags {
  port: number
  host: string
  /** everything else, as given, for the pipeline's own parseFlags */
  rest: string[]
}

const spec = { port: { type: 'string' }, host: { type: 'string' } } as const

/**
 * Takes browser mode's own flags (`--port N`, `--host H`, or with `=`) out of argv and leaves the
 * rest untouched for the pipeline's parser, which rejects anything it does not know.
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
    if (t.kind !== 'option' || (t.name !== 'port' && t.name !== 'host')) continue
    if (t.value === undefined || t.value === '' || (!t.inlineValue && t.value.startsWith('-')))
      throw new Error(`--${t.name} needs a value`)
    taken.add(t.index)
    if (!t.inlineValue) taken.add(t.index + 1)
    mine.push(`--${t.name}=${t.value}`)
  }
  // A flag given twice keeps its last value, as parseFlags does for the pipeline's flags.
  const { values } = parseArgs({ args: mine, options: spec, strict: true, allowPositionals: false })
  const port = Number(values.port ?? '0')
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535)
    throw new Error(`--port must be a port number (0–65535), got "${values.port}"`)
  return { port, host: values.host ?? '127.0.0.1', rest: argv.filter((_, i) => !taken.has(i)) }
}

/** Whether binding here keeps the dashboard on this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
