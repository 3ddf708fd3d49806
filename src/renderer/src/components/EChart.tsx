import { useEffect, useImperativeHandle, useRef, type Ref } from 'react'
import { init, type EChartsCoreOption, type EChartsType } from '../charts/echarts'
import type { ChartClick } from '../state/symbol-click'
import { echartsThemeName } from '../theme/echarts-theme'

interface Props {
  option: EChartsCoreOption
  theme: 'light' | 'dark'
  /** called after each new option is applied */
  onApplied?: () => void
  /** called with ECharts' params when a data item or series is clicked */
  onClick?: (click: ChartClick) => void
  /** for a panel's image: the chart as drawn now, without handing out the instance itself */
  ref?: Ref<EChartHandle>
}

export interface EChartHandle {
  /**
   * The chart as drawn now, rendered at `pixelRatio` on `background` (the theme's is transparent),
   * with its CSS size; null while there is no chart.
   */
  render(
    pixelRatio: number,
    background: string,
  ): { canvas: HTMLCanvasElement; width: number; height: number } | null
}

/**
 * Owns one ECharts instance: created once on mount (again only if the theme changes), updated
 * with setOption so zoom and legend choices survive new data, resized with its box, disposed on
 * unmount.
 */
export function EChart({ option, theme, onApplied, onClick, ref }: Props): React.JSX.Element {
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | null>(null)
  useImperativeHandle(
    ref,
    () => ({
      render(pixelRatio, background) {
        const instance = chart.current
        if (!instance || instance.isDisposed()) return null
        // The canvas getDataURL encodes, taken before it is: the image is drawn over it unencoded.
        const canvas = instance.renderToCanvas({ pixelRatio, backgroundColor: background })
        return { canvas, width: instance.getWidth(), height: instance.getHeight() }
      },
    }),
    [],
  )
  const applied = useRef(onApplied)
  const clicked = useRef(onClick)
  useEffect(() => {
    applied.current = onApplied
    clicked.current = onClick
  })

  useEffect(() => {
    const dom = el.current
    if (!dom) return
    const instance = init(dom, echartsThemeName(theme), { renderer: 'canvas' })
    chart.current = instance
    instance.on('click', (params) => clicked.current?.(params as ChartClick))
    // Resize on the next frame: resizing inside the observer's callback can loop it.
    let frame = 0
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame)
      frame = requestAnimationFrame(() => {
        if (!instance.isDisposed()) instance.resize()
      })
    })
    observer.observe(dom)
    return () => {
      cancelAnimationFrame(frame)
      observer.disconnect()
      chart.current = null
      instance.dispose()
    }
  }, [theme])

  useEffect(() => {
    const instance = chart.current
    if (!instance || instance.isDisposed()) return
    // Not lazy, as in Superset: a deferred draw leaves stale shapes under a hover's tooltip, and onApplied would precede it.
    instance.setOption(option, { lazyUpdate: false, replaceMerge: ['series'] })
    applied.current?.()
  }, [option, theme])

  return <div ref={el} className="echart" />
}
