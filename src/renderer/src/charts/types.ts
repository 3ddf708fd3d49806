import type { EChartsCoreOption } from 'echarts/core'
import type { WindowSnapshot } from '@shared/contract'
import type { LatencyStage } from '@shared/kpi'

/** How the user wants things shown: display settings only, never part of the data. */
export interface ChartContext {
  /** times on axes and in tooltips: the browser's local zone, or UTC */
  timeZone: 'local' | 'utc'
  /** BCP 47 locale for numbers and dates, e.g. navigator.language */
  locale: string
  theme: 'light' | 'dark'
  /** the one accent colour of a symbol, the same in every view */
  colorOf: (symbol: string) => string
  /** the subscribed symbols, in the panel's order */
  symbols: string[]
  /** the data-loss threshold line (symbols_subscribed) */
  symbolsSubscribed: number
  /** per-view choices made in the panel's header */
  priceScale: 'linear' | 'log' | 'normalised'
  latencyStage: LatencyStage
}

export type ViewId =
  | 'avg-volume'
  | 'trades-per-second'
  | 'trade-count'
  | 'avg-price'
  | 'data-loss'
  | 'price-range'
  | 'volume-trend'
  | 'candles'
  | 'latency'
  | 'consumer-lag'

/** One dashboard view: its words, and a pure function from the latest snapshot to its chart. */
export interface ViewDef {
  id: ViewId
  title: string
  /** the KPI's one-line definition, shown under the title */
  definition: string
  /** how it is computed, for the tooltip on the title */
  howComputed: string
  /** true when the snapshot holds nothing this view can draw */
  isEmpty(snapshot: WindowSnapshot): boolean
  build(snapshot: WindowSnapshot, ctx: ChartContext): EChartsCoreOption
}
