import type { WindowSnapshot } from '@shared/contract'
import { LATENCY_RELATIVE_ERROR } from '@shared/kpi'
import { buildAvgPriceOption } from './avg-price/options'
import { buildAvgVolumeOption } from './avg-volume/options'
import { buildCandlesOption } from './candles/options'
import { buildConsumerLagOption } from './consumer-lag/options'
import { buildDataLossOption } from './data-loss/options'
import { buildLatencyOption } from './latency/options'
import { buildPriceRangeOption } from './price-range/options'
import { buildTradeCountOption } from './trade-count/options'
import { buildTradesPerSecondOption } from './trades-per-second/options'
import type { ViewDef } from './types'
import { buildVolumeTrendOption } from './volume-trend/options'

/** Nothing traded in the window: every per-trade KPI is empty. */
const noTrades = (s: WindowSnapshot): boolean => s.kpis.totalTrades === 0

/**
 * The dashboard's ten views, in panel order: the assignment's eight KPIs, the candles and the consumer lag.
 * Titles are the assignment's words; definitions say what is shown, howComputed how it is computed.
 */
export const VIEWS: ViewDef[] = [
  {
    id: 'avg-volume',
    title: 'Average volume per symbol',
    definition: 'Mean volume per trade of each symbol over the window.',
    howComputed:
      'SUM(volume) / COUNT(*) per symbol over the trades whose trade time falls in the window. ' +
      'A volume of 0 (FX and crypto price updates) is a trade like any other.',
    isEmpty: noTrades,
    build: buildAvgVolumeOption,
  },
  {
    id: 'trades-per-second',
    title: 'Trades per second',
    definition: 'Trades per second over time, in total and per symbol.',
    howComputed:
      'COUNT(*) of trades per time bucket divided by the bucket width in seconds. Buckets are ' +
      'rate_interval_s wide, or wider on a long window so a series keeps a few hundred points. ' +
      'The dotted line is the window average: all trades / window seconds.',
    isEmpty: noTrades,
    build: buildTradesPerSecondOption,
  },
  {
    id: 'trade-count',
    title: 'Trade count per symbol',
    definition: 'Number of trades per symbol over the window.',
    howComputed:
      'COUNT(*) of stored trades per symbol in the window: a count of rows, not a sum of ids. ' +
      'Identical trades in one frame are distinct trades and each counts.',
    isEmpty: noTrades,
    build: buildTradeCountOption,
  },
  {
    id: 'avg-price',
    title: 'Average price per symbol',
    definition:
      'Mean trade price per symbol; "normalised" shows where it sits between the symbol’s own low (0 %) and high (100 %).',
    howComputed:
      'SUM(price) / COUNT(*) per symbol over the window, not weighted by volume. Prices differ by orders ' +
      'of magnitude (BTC ~60,000, FX ~1): "log" uses a log axis, "normalised" plots ' +
      '(avg − min) / (max − min) × 100, and 50 % when the price did not move. The tooltip gives the real prices.',
    isEmpty: noTrades,
    build: buildAvgPriceOption,
  },
  {
    id: 'data-loss',
    title: 'Data loss',
    definition: 'Distinct symbols seen in each data_loss_window_s window, against symbols_subscribed.',
    howComputed:
      'COUNT(DISTINCT symbol) of the trades in each window of data_loss_window_s seconds (aligned to the ' +
      'epoch). A window with fewer than symbols_subscribed (the dashed line) is data loss, drawn as a ' +
      'warning; the tooltip names the subscribed symbols that did not trade. A window still open (hatched, ' +
      'in progress) or cut by the range or by the start or stop of the run is drawn but never counted: it may ' +
      'lack symbols that trade outside the part seen. From a day on the bars are hours (or wider): ' +
      'how many whole windows of each fell short, windows without a single trade (not running) left out, ' +
      'and the tooltip names the symbols missing from any of them.',
    isEmpty: noTrades,
    build: buildDataLossOption,
  },
  {
    id: 'price-range',
    title: 'Min/max price per symbol',
    definition: 'Lowest to highest trade price per symbol; "normalised" shows the range as % of the low.',
    howComputed:
      'MIN(price) and MAX(price) per symbol over the window; each bar floats from min to max, and ' +
      'range = max − min. "normalised" draws (max − min) / min × 100 from zero, comparable across symbols.',
    isEmpty: noTrades,
    build: buildPriceRangeOption,
  },
  {
    id: 'volume-trend',
    title: 'Volume trend of one symbol',
    definition: 'Traded volume of one symbol per time bucket.',
    howComputed:
      'SUM(volume) of the chosen symbol’s trades per time bucket (rate_interval_s, or wider on a long ' +
      'window). Without a choice it shows the window’s most traded symbol.',
    isEmpty: (s) => noTrades(s) || s.kpis.volumeTrend.symbol === null,
    build: buildVolumeTrendOption,
  },
  {
    id: 'candles',
    title: 'Candles of one symbol',
    definition: 'Open, high, low and close of one symbol per time bucket, with its VWAP and volume.',
    howComputed:
      'Per time bucket (as the volume trend’s): open and close are the first and last trade by trade time ' +
      '(within one millisecond, the lower price opens and the higher one closes), high and low MAX/MIN(price), ' +
      'volume SUM(volume). The dashed line is the VWAP, SUM(price × volume) / SUM(volume); a bucket without ' +
      'volume shows its mean price instead. A rising candle is hollow, a falling one filled. Rollups from ' +
      'before candles were kept, whose trades are gone, have no open or close: a gap. Click a symbol in any ' +
      'per-symbol view to show it here and in the volume trend.',
    isEmpty: (s) => s.kpis.candles.buckets.length === 0,
    build: buildCandlesOption,
  },
  {
    id: 'latency',
    title: 'Pipeline latency',
    definition: 'p50, p95 and p99 latency of one pipeline stage over time.',
    howComputed:
      'Per time bucket, percentiles of the chosen stage between the stamps every trade carries: traded ' +
      '(trade time), received (Kafka record time), consumed, written (DB commit). They are read from ' +
      `log-bucketed histograms, within ${LATENCY_RELATIVE_ERROR * 100} %. The title gives the seed’s own ` +
      'measure: the exact mean from trade time to DB write over the window.',
    isEmpty: (s) => s.kpis.latencyTrend.start.length === 0,
    build: buildLatencyOption,
  },
  {
    id: 'consumer-lag',
    title: 'Consumer lag',
    definition: 'Records in Kafka that the writer has not yet committed, over time.',
    howComputed:
      'Sampled by the status tick: for each partition of the topic, the high watermark minus the ' +
      'group’s committed offset, summed. Offsets are committed after the DB write, so this counts ' +
      'records not yet stored. At most one sample per time bucket.',
    isEmpty: (s) => s.lag.length === 0,
    build: buildConsumerLagOption,
  },
]
