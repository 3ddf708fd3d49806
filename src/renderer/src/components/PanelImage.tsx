import { useEffect, useState } from 'react'
import { api, browserMode } from '../api'
import { useCommand } from '../hooks/use-command'
import type { CapturedPng } from '../hooks/use-chart-capture'

interface Props {
  viewId: string
  title: string
  /** false while the panel draws no chart (loading, empty, error) */
  available: boolean
  /** the chart as drawn now: its file name at once, its PNG when painted */
  capture: () => CapturedPng
}

/** Two 14 px line icons rather than words: the header is dense, and the title gets the room. */
const ACTIONS = [
  { id: 'png', label: 'Save PNG', icon: 'M8 2v7.5M4.75 6.5 8 9.75l3.25-3.25M2.75 11v2.25h10.5V11' },
  { id: 'copy', label: 'Copy image', icon: 'M5.75 5.75h7.5v7.5h-7.5zM3 10.25H2.75v-7.5h7.5V3' },
] as const

/** How long "Saved" / "Copied" stays beside the buttons. */
const DONE_MS = 2_000

const bytesOf = async (blob: Promise<Blob>): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await (await blob).arrayBuffer())

/** In the browser: an <a download> of the image, which the browser saves as it saves any download. */
function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  // attached for the click: some browsers ignore a click on a link outside the document
  document.body.append(a)
  a.click()
  a.remove()
  // Freed once the browser has surely read it: revoked at once, a download can fail (Firefox).
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/**
 * A panel's "Save PNG" and "Copy image": its chart with the title and window, at the screen's pixel ratio.
 * In the app the bytes go to main, which asks where to save them or puts them on the system
 * clipboard (the sandboxed page may do neither itself). In the browser the page downloads the
 * file and writes the clipboard (a secure context: https, or 127.0.0.1 / localhost as served).
 */
export function PanelImage({ viewId, title, available, capture }: Props): React.JSX.Element {
  const [done, setDone] = useState<string | null>(null)
  useEffect(() => {
    if (!done) return
    const timer = setTimeout(() => setDone(null), DONE_MS)
    return () => clearTimeout(timer)
  }, [done])

  const save = useCommand(async () => {
    setDone(null)
    const { name, png } = capture()
    if (browserMode) return download(name, await png)
    const saved = await api.savePng({ name, png: await bytesOf(png) })
    if (saved) setDone('Saved')
  })
  const copy = useCommand(async () => {
    setDone(null)
    if (browserMode && (!navigator.clipboard || typeof ClipboardItem === 'undefined'))
      throw new Error('this page cannot write the clipboard (it needs https or localhost)')
    const { png } = capture()
    // The item takes the promise: the write starts within the click, as browsers require.
    if (browserMode) await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })])
    else await api.copyPng({ png: await bytesOf(png) })
    setDone('Copied')
  })
  const error = save.error ?? copy.error
  const busy = save.pending || copy.pending

  return (
    <>
      {ACTIONS.map((a) => (
        <button
          key={a.id}
          type="button"
          className="icon-button"
          data-testid={`panel-${a.id}-${viewId}`}
          disabled={!available || busy}
          aria-label={`${a.label} of ${title}`}
          title={`${a.label}: the chart with its title and window`}
          onClick={() => void (a.id === 'png' ? save : copy).run()}
        >
          <svg className="panel-image-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path d={a.icon} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
          </svg>
        </button>
      ))}
      {done && !busy && (
        <span className="muted" role="status" data-testid={`panel-image-done-${viewId}`}>
          {done}
        </span>
      )}
      {error && (
        <span className="inline-error" role="alert" data-testid={`panel-image-error-${viewId}`}>
          {error}
        </span>
      )}
    </>
  )
}
