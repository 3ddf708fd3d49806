import type { TooltipComponentFormatterCallbackParams } from 'echarts'
import type { TooltipComponentOption } from 'echarts/components'
import { themeColors } from '../theme/colors'
import type { ChartContext } from './types'

/** The views' tooltips: a confined box in theme colours, and HTML built with every argument escaped. */

export type TooltipParams = TooltipComponentFormatterCallbackParams

export function tooltipBase(ctx: ChartContext, trigger: 'item' | 'axis'): TooltipComponentOption {
  const c = themeColors(ctx.theme)
  return {
    trigger,
    confine: true,
    transitionDuration: 0,
    backgroundColor: c.tooltipBg,
    borderColor: c.tooltipBorder,
    textStyle: { color: c.text, fontSize: 11 },
    axisPointer: { type: trigger === 'axis' ? 'line' : 'none' },
  }
}

/** Symbols come from a feed: never put them into tooltip HTML unescaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/**
 * Tooltip HTML: a bold heading and rows of "● label value"; every argument is escaped here. No
 * style attributes: the CSP (no 'unsafe-inline' in style-src) blocks them in HTML that ECharts sets
 * as innerHTML, so the looks come from classes (assets/main.css) and the dot's colour is an SVG fill.
 */
export function tooltipHtml(
  heading: string,
  rows: { label: string; value: string; color?: string }[],
): string {
  const lines = rows.map((r) => {
    const dot = r.color
      ? `<svg class="tooltip-dot" width="8" height="8" aria-hidden="true"><circle cx="4" cy="4" r="4" fill="${escapeHtml(r.color)}"/></svg>`
      : ''
    const value = r.value ? ` <b>${escapeHtml(r.value)}</b>` : ''
    return `<div>${dot}${escapeHtml(r.label)}${value}</div>`
  })
  return `<div class="tooltip-heading">${escapeHtml(heading)}</div>${lines.join('')}`
}

/** The first data point named by the formatter's params (axis tooltips pass an array). */
export function firstParam(
  params: TooltipParams,
): { dataIndex: number; seriesId?: string; name: string } | null {
  const p = Array.isArray(params) ? params[0] : params
  if (!p || typeof p.dataIndex !== 'number') return null
  return { dataIndex: p.dataIndex, seriesId: p.seriesId, name: String(p.name ?? '') }
}
