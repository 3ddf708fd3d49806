import { useEffect, useRef } from 'react'
import { init, type EChartsCoreOption, type EChartsType } from '../charts/echarts'
import { echartsThemeName } from '../theme/echarts-theme'

interface Props {
  option: EChartsCoreOption
  theme: 'light' | 'dark'
  /** called after each new option is applied */
  onApplied?: () => void
}

/**
 * Owns one ECharts instance: created once on mount (again only if the theme changes), updated
 * with setOption so zoom and legend choices survive new data, resized with its box, disposed on
 * unmount.
 */
export function EChart({ option, theme, onApplied }: Props): React.JSX.Element {
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | null>(null)
  const applied = useRef(onApplied)
  useEffect(() => {
    applied.current = onApplied
  })

  useEffect(() => {
    const dom = el.current
    if (!dom) return
    const instance = init(dom, echartsThemeName(theme), { renderer: 'canvas' })
    chart.current = instance
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
