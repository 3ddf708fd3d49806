import { WINDOW_PRESET_LABELS, type WindowSpec } from '@shared/windows'
import { formatTime, type TimeDisplay } from '../format/format'

/**
 * A panel saved as an image: a header strip (the panel's title, and the window it shows) above the
 * chart as ECharts drew it, at the screen's pixel ratio. What to draw where is decided here, as
 * plain numbers and strings; charts/chart-png.ts only paints it.
 */

/** CSS pixels of the header strip. */
const PAD = 12
const TITLE_PX = 14
const CAPTION_PX = 12
const GAP = 4
export const HEADER_PX = PAD + TITLE_PX + GAP + CAPTION_PX + PAD
const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'

export interface TextLine {
  text: string
  /** a canvas font */
  font: string
  color: string
  /** CSS px from the image's left and top (the text's top: textBaseline 'top') */
  x: number
  y: number
  /** canvas fillText's maxWidth: a long title is narrowed, never cut off the image */
  maxWidth: number
}

export interface ImageLayout {
  /** device pixels of the whole image */
  width: number
  height: number
  /** what the painter scales CSS px by: the pixel ratio the chart was rendered at */
  scale: number
  background: string
  lines: TextLine[]
  /** CSS px: where the chart goes, and at what size */
  chart: { x: number; y: number; width: number; height: number }
}

export interface ImageText {
  title: string
  caption: string
}

/**
 * The layout of a panel's image: the chart's CSS size (width × height) rendered at `pixelRatio`,
 * under a header of `text`, on the panel's colours.
 */
export function imageLayout(
  chart: { width: number; height: number },
  pixelRatio: number,
  text: ImageText,
  colors: { background: string; text: string; muted: string },
): ImageLayout {
  const scale = pixelRatio > 0 && Number.isFinite(pixelRatio) ? pixelRatio : 1
  const maxWidth = Math.max(1, chart.width - 2 * PAD)
  return {
    width: Math.round(chart.width * scale),
    height: Math.round((chart.height + HEADER_PX) * scale),
    scale,
    background: colors.background,
    lines: [
      {
        text: text.title,
        font: `600 ${TITLE_PX}px ${FONT_FAMILY}`,
        color: colors.text,
        x: PAD,
        y: PAD,
        maxWidth,
      },
      {
        text: text.caption,
        font: `${CAPTION_PX}px ${FONT_FAMILY}`,
        color: colors.muted,
        x: PAD,
        y: PAD + TITLE_PX + GAP,
        maxWidth,
      },
    ],
    chart: { x: 0, y: HEADER_PX, width: chart.width, height: chart.height },
  }
}

/**
 * The window line under the title: its name and its span as the dashboard shows times. A local
 * time names its zone (`localZone`, an IANA name): the image may be read far from this screen.
 */
export function windowCaption(
  window: WindowSpec,
  span: { from: number; to: number },
  display: TimeDisplay,
  localZone?: string,
): string {
  const name = 'preset' in window ? WINDOW_PRESET_LABELS[window.preset] : 'Custom range'
  const range = `${formatTime(span.from, display, true)} – ${formatTime(span.to, display, true)}`
  const zone = display.timeZone === 'local' && localZone ? ` (${localZone})` : ''
  return `${name} · ${range}${zone}`
}

/** 2026-12-07T21:53:13.000Z → 20261207T215313Z: UTC, sortable, safe in any file system. */
const compact = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.000', '')

/**
 * tickflow-<view>-<window>-<end>.png: the preset's name (5m, 24h, run) or a custom range's start,
 * then the window's end, both UTC stamps. Only letters, digits, dot and dash, whatever the view id.
 */
export function pngFileName(viewId: string, window: WindowSpec, span: { from: number; to: number }): string {
  const win = 'preset' in window ? window.preset : compact(span.from)
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-')
  return `tickflow-${safe(viewId)}-${safe(win)}-${compact(span.to)}.png`
}
