import { useCallback, type RefObject } from 'react'
import type { WindowSnapshot } from '@shared/contract'
import { paintPng } from '../charts/chart-png'
import type { EChartHandle } from '../components/EChart'
import { imageLayout, pngFileName, windowCaption } from '../state/chart-image'
import { COLORS } from '../theme/colors'

/** A panel's image: the file name now, the PNG once painted. */
export interface CapturedPng {
  name: string
  png: Promise<Blob>
}

interface Display {
  timeZone: 'local' | 'utc'
  locale: string
  theme: 'light' | 'dark'
}

/**
 * Captures a panel: the chart its EChart draws now, at the screen's pixel ratio, under the panel's
 * title and the shown snapshot's window, on the panel's colours.
 */
export function useChartCapture(
  chart: RefObject<EChartHandle | null>,
  view: { id: string; title: string },
  snapshot: WindowSnapshot | null,
  display: Display,
): () => CapturedPng {
  const { timeZone, locale, theme } = display
  return useCallback(() => {
    const ui = COLORS[theme].ui
    const pixelRatio = window.devicePixelRatio || 1
    const shot = chart.current?.render(pixelRatio, ui.surface)
    if (!shot || !snapshot) throw new Error('the panel shows no chart yet')
    const span = { from: snapshot.kpis.from, to: snapshot.kpis.to }
    const window_ = snapshot.watch.window
    const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const caption = windowCaption(window_, span, { timeZone, locale }, localZone)
    const layout = imageLayout(
      shot,
      pixelRatio,
      { title: view.title, caption },
      {
        background: ui.surface,
        text: ui.text,
        muted: ui.muted,
      },
    )
    return { name: pngFileName(view.id, window_, span), png: paintPng(layout, shot.canvas) }
  }, [chart, view.id, view.title, snapshot, timeZone, locale, theme])
}
