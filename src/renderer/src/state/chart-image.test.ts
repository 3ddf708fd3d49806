import { describe, expect, it } from 'vitest'
import { PNG_NAME_PATTERN } from '@shared/chart-image'
import { HEADER_PX, imageLayout, pngFileName, windowCaption } from './chart-image'

// 2026-12-07 21:53:13 UTC, and five minutes before
const TO = Date.UTC(2026, 11, 7, 21, 53, 13)
const SPAN = { from: TO - 300_000, to: TO }
const COLORS = { background: '#ffffff', text: '#1f2328', muted: '#6b7280' }
const TEXT = { title: 'Average price', caption: 'Last 5 min' }

describe('imageLayout', () => {
  it("is the chart's CSS size times the pixel ratio, plus the header strip", () => {
    const layout = imageLayout({ width: 480, height: 300 }, 2, TEXT, COLORS)
    expect(layout.width).toBe(960)
    expect(layout.height).toBe((300 + HEADER_PX) * 2)
    expect(layout.scale).toBe(2)
    // the chart below the header, at its CSS size: scaled by 2 its 960 px wide canvas lands 1:1
    expect(layout.chart).toEqual({ x: 0, y: HEADER_PX, width: 480, height: 300 })
  })

  it('rounds a fractional ratio to whole pixels', () => {
    const layout = imageLayout({ width: 333, height: 200 }, 1.25, TEXT, COLORS)
    expect(layout.width).toBe(416)
    expect(layout.height).toBe(Math.round((200 + HEADER_PX) * 1.25))
  })

  it('falls back to 1 for a ratio the screen did not give', () => {
    expect(imageLayout({ width: 100, height: 100 }, 0, TEXT, COLORS).scale).toBe(1)
    expect(imageLayout({ width: 100, height: 100 }, Number.NaN, TEXT, COLORS).width).toBe(100)
  })

  it('writes the title over the window, inside the header, narrowed to the width', () => {
    const [title, caption] = imageLayout({ width: 400, height: 200 }, 1, TEXT, COLORS).lines
    expect(title).toMatchObject({ text: 'Average price', color: COLORS.text, maxWidth: 376 })
    expect(title?.font).toMatch(/^600 14px /)
    expect(caption).toMatchObject({ text: 'Last 5 min', color: COLORS.muted })
    expect(caption!.y).toBeGreaterThan(title!.y)
    expect(caption!.y + 12).toBeLessThanOrEqual(HEADER_PX)
  })
})

describe('windowCaption', () => {
  const utc = { timeZone: 'utc', locale: 'en-GB' } as const

  it("names a preset and spans it in the dashboard's time display", () => {
    expect(windowCaption({ preset: '5m' }, SPAN, utc)).toBe(
      'Last 5 min · 7 Dec, 21:48:13 UTC – 7 Dec, 21:53:13 UTC',
    )
  })

  it('says a custom range is one', () => {
    expect(windowCaption(SPAN, SPAN, utc)).toMatch(/^Custom range · 7 Dec, 21:48:13 UTC – /)
  })

  it('names the local zone, which a reader elsewhere cannot guess', () => {
    const local = { timeZone: 'local', locale: 'en-GB' } as const
    expect(windowCaption({ preset: '1h' }, SPAN, local, 'Europe/Berlin')).toMatch(
      /^Last hour · .* \(Europe\/Berlin\)$/,
    )
    expect(windowCaption({ preset: '1h' }, SPAN, utc, 'Europe/Berlin')).not.toContain('Berlin')
  })
})

describe('pngFileName', () => {
  it('names the view, the preset and the UTC end', () => {
    expect(pngFileName('avg-price', { preset: '5m' }, SPAN)).toBe(
      'tickflow-avg-price-5m-20261207T215313Z.png',
    )
    expect(pngFileName('latency', { preset: 'run' }, SPAN)).toBe('tickflow-latency-run-20261207T215313Z.png')
  })

  it('names a custom range by its start and end', () => {
    expect(pngFileName('data-loss', SPAN, SPAN)).toBe(
      'tickflow-data-loss-20261207T214813Z-20261207T215313Z.png',
    )
  })

  it('keeps milliseconds that are there, and only safe characters: main accepts the name', () => {
    const name = pngFileName('odd view/../id', { preset: '5m' }, { from: 0, to: TO + 250 })
    expect(name).toBe('tickflow-odd-view-..-id-5m-20261207T215313.250Z.png')
    expect(name).toMatch(PNG_NAME_PATTERN)
  })
})
