import type { WindowSnapshot } from '@shared/contract'
import type { Candle } from '@shared/kpi'
import {
  formatAmount,
  formatAxisTime,
  formatCompact,
  formatNumber,
  formatPrice,
  formatTime,
} from '@renderer/format/format'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis } from '../axes'
import {
  baseOption,
  type BarSeriesOption,
  type CandlestickSeriesOption,
  type LineSeriesOption,
  type ViewOption,
} from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import type { ChartContext } from '../types'

type CandlesSeries = CandlestickSeriesOption | LineSeriesOption | BarSeriesOption

/** Share of the plot height the candles take; the volume bars get the rest below them. */
const PRICE_GRID = { top: 30, height: '58%' }
const VOLUME_GRID = { bottom: 4, height: '20%' }

/**
 * The candles of one symbol (the volume trend's, one choice for both): per bucket a candle from
 * open to close with a wick from low to high, the VWAP as a line over them, and the volume as bars
 * below, on one time axis. One accent colour per symbol, as in every view: a rising candle is
 * hollow, a falling one filled. A bucket whose open and close are unknown (rollups older than
 * sql/016 whose trades are gone) draws no candle and breaks the VWAP line; its volume bar stays.
 * Every series is aligned with the buckets, so a tooltip's dataIndex names one bucket.
 */
export function buildCandlesOption(snapshot: WindowSnapshot, ctx: ChartContext): ViewOption<CandlesSeries> {
  const { symbol, buckets, bucketS } = snapshot.kpis.candles
  const c = themeColors(ctx.theme)
  const color = symbol === null ? c.neutral : ctx.colorOf(symbol)
  const width = bucketS * 1000
  const mid = (b: Candle): number => b.start + width / 2

  const formatter = (params: TooltipParams): string => {
    const b = buckets[firstParam(params)?.dataIndex ?? -1]
    if (!b || symbol === null) return ''
    const price = (p: number | null): string => (p === null ? 'unknown' : formatPrice(p, ctx.locale))
    return tooltipHtml(`${symbol} ${formatTime(b.start, ctx)} – ${formatAxisTime(b.start + width, ctx)}`, [
      { label: 'open', value: price(b.open) },
      { label: 'high', value: price(b.high) },
      { label: 'low', value: price(b.low) },
      { label: 'close', value: price(b.close) },
      {
        label: b.volume === 0 ? 'VWAP (no volume: mean)' : 'VWAP',
        value: price(b.vwap),
        color: c.neutralStrong,
      },
      { label: 'volume', value: formatAmount(b.volume, ctx.locale), color },
      { label: 'trades', value: formatNumber(b.trades, ctx.locale, 0) },
    ])
  }

  const first = buckets[0]?.start
  const last = buckets[buckets.length - 1]?.start
  const min = Math.min(snapshot.kpis.from, first ?? snapshot.kpis.from)
  const max = Math.max(snapshot.kpis.to, last === undefined ? snapshot.kpis.to : last + width)
  const priceAxis = timeAxis(ctx, min, max)
  return {
    ...baseOption(ctx),
    grid: [
      { left: 4, right: 12, ...PRICE_GRID, outerBoundsMode: 'same', outerBoundsContain: 'all' },
      { left: 4, right: 12, ...VOLUME_GRID, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    ],
    title: { text: symbol ?? '', left: 0, top: 0, textStyle: { color, fontSize: 11, fontWeight: 600 } },
    tooltip: { ...tooltipBase(ctx, 'axis'), formatter },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    xAxis: [
      { ...priceAxis, gridIndex: 0, name: '', axisLabel: { ...priceAxis.axisLabel, show: false } },
      { ...timeAxis(ctx, min, max), gridIndex: 1 },
    ],
    yAxis: [
      {
        ...valueAxis(ctx, { name: 'price', scale: true, formatter: (v) => formatPrice(v, ctx.locale) }),
        gridIndex: 0,
      },
      {
        ...valueAxis(ctx, { min: 0, formatter: (v) => formatCompact(v, ctx.locale) }),
        gridIndex: 1,
        splitNumber: 2,
      },
    ],
    series: [
      {
        id: 'candles',
        type: 'candlestick',
        name: symbol ?? 'candles',
        xAxisIndex: 0,
        yAxisIndex: 0,
        barMaxWidth: 12,
        itemStyle: { color: 'transparent', color0: color, borderColor: color, borderColor0: color },
        // [time, open, close, low, high]; '-' is ECharts' empty value: no candle for an unknown open
        encode: { x: 0, y: [1, 2, 3, 4] },
        data: buckets.map((b) =>
          b.open === null || b.close === null
            ? [mid(b), '-', '-', '-', '-']
            : [mid(b), b.open, b.close, b.low, b.high],
        ),
      },
      {
        id: 'vwap',
        type: 'line',
        name: 'VWAP',
        xAxisIndex: 0,
        yAxisIndex: 0,
        color: c.neutralStrong,
        showSymbol: false,
        lineStyle: { width: 1, type: 'dashed' },
        connectNulls: false,
        data: buckets.map((b) => [mid(b), b.vwap ?? '-']),
      },
      {
        id: 'volume',
        type: 'bar',
        name: symbol ? `${symbol} volume` : 'volume',
        xAxisIndex: 1,
        yAxisIndex: 1,
        color,
        barMaxWidth: 12,
        barCategoryGap: '10%',
        data: buckets.map((b) => [mid(b), b.volume]),
      },
    ],
  }
}
