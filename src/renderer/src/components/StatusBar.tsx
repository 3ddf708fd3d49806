import { describeStorage, formatDiskUse } from '@shared/storage'
import { formatNumber } from '../format/format'
import { useDashboard } from '../hooks/use-dashboard'
import { useLocale } from '../hooks/use-locale'

/** The broker's state: the dashboard serves stored data while the managed broker comes up. */
const BROKER_WORDS = { starting: 'starting…', ready: 'up', failed: 'failed' } as const

/** The feed, the broker, the pipeline's counters in the user's number format, and the data dir's disk use. */
export function StatusBar(): React.JSX.Element {
  const status = useDashboard((s) => s.status)
  const locale = useLocale()
  const n = (v: number | null | undefined, digits = 0): string =>
    v === null || v === undefined ? '–' : formatNumber(v, locale, digits)
  const source = status?.source ?? null
  const feed = source
    ? `${source.kind} ${source.state}${source.reconnects > 0 ? ` · ${n(source.reconnects)} reconnects` : ''}`
    : 'idle'
  const kafka = status?.kafka ?? null
  const c = status?.counters
  const storage = status?.storage ?? null
  const overBudget =
    storage !== null && storage.diskBudgetGb !== null && storage.usedBytes > storage.diskBudgetGb * 1e9

  return (
    <footer className="status-bar" data-testid="status-bar">
      <Item
        label="Feed"
        testId="status-feed"
        value={feed}
        title={source?.detail ?? undefined}
        warn={!!source && source.state !== 'open'}
      />
      <Item
        label="Kafka"
        testId="status-kafka"
        value={kafka ? BROKER_WORDS[kafka.state] : '–'}
        title={kafka?.detail ?? kafka?.bootstrap ?? undefined}
        warn={kafka?.state === 'failed'}
      />
      <Item
        label="Trades/s"
        testId="status-rate"
        value={n(status?.rates.received, 1)}
        raw={status?.rates.received}
      />
      <Item
        label="Lag"
        testId="status-lag"
        value={n(status?.lag)}
        raw={status?.lag}
        title="Kafka records not yet committed by the writer"
      />
      <Item label="Rows" testId="status-rows" value={n(c?.written)} raw={c?.written} title="Trades stored" />
      <Item
        label="Rejects"
        testId="status-rejects"
        value={n(c?.rejected)}
        raw={c?.rejected}
        warn={(c?.rejected ?? 0) > 0}
      />
      <Item
        label="Drops"
        testId="status-drops"
        value={n(c?.dropped)}
        raw={c?.dropped}
        warn={(c?.dropped ?? 0) > 0}
      />
      <Item
        label="Disk"
        testId="status-disk"
        value={storage ? formatDiskUse(storage) : '–'}
        raw={storage?.usedBytes}
        title={storage ? describeStorage(storage).join('\n') : 'Not measured yet'}
        warn={overBudget}
      />
    </footer>
  )
}

interface ItemProps {
  label: string
  testId: string
  value: string
  /** the number itself, unformatted, as data-value */
  raw?: number | null
  title?: string
  warn?: boolean
}

function Item({ label, testId, value, raw, title, warn }: ItemProps): React.JSX.Element {
  return (
    <span className={warn ? 'status-item is-warn' : 'status-item'} title={title}>
      <span className="status-label">{label}</span>
      <span className="status-value" data-testid={testId} data-value={raw ?? undefined}>
        {value}
      </span>
    </span>
  )
}
