import { useState } from 'react'
import { exportHref, type CsvTable } from '@shared/contract'
import { api, browserMode } from '../api'
import type { ViewId } from '../charts/types'
import { useCommand } from '../hooks/use-command'
import { useDashboard } from '../hooks/use-dashboard'
import { exportRequestFor, kpiTableOf, type ShownWindow } from '../state/export-request'

/** What the dashboard shows now, read when the control renders or is pressed. */
function useShownWindow(): () => ShownWindow {
  const from = useDashboard((s) => s.snapshot?.kpis.from ?? null)
  const to = useDashboard((s) => s.snapshot?.kpis.to ?? null)
  const watch = useDashboard((s) => s.watch)
  const subscribed = useDashboard((s) => s.config?.symbols ?? null)
  const volumeSymbol = useDashboard((s) => s.snapshot?.kpis.volumeTrend.symbol ?? null)
  return () => ({
    shown: from !== null && to !== null ? { from, to } : null,
    watch,
    subscribed,
    volumeSymbol,
  })
}

interface ControlProps {
  table: CsvTable
  label: string
  title: string
  testId: string
  className?: string
}

/**
 * One CSV export of what is shown. In the browser it is a plain download link to the server's
 * streamed /export route (the cookie authorises it, the browser shows the progress); in the app,
 * main asks where to save. Either way the renderer never names a path.
 */
function ExportControl(props: ControlProps): React.JSX.Element {
  const shown = useShownWindow()
  const request = (): ReturnType<typeof exportRequestFor> =>
    exportRequestFor(props.table, shown(), Date.now())
  const [saved, setSaved] = useState<string | null>(null)
  const cmd = useCommand(async () => {
    setSaved(null)
    const res = await api.exportCsv(request())
    if (res) setSaved(`${res.rows.toLocaleString()} rows saved`)
  })

  if (browserMode)
    return (
      <a
        className={props.className ?? 'button'}
        data-testid={props.testId}
        href={exportHref(request())}
        download
        title={props.title}
      >
        {props.label}
      </a>
    )
  return (
    <span className="export-csv">
      <button
        type="button"
        className={props.className}
        data-testid={props.testId}
        disabled={cmd.pending}
        title={props.title}
        onClick={() => void cmd.run()}
      >
        {cmd.pending ? 'Exporting…' : props.label}
      </button>
      {saved && !cmd.pending && <span className="muted">{saved}</span>}
      {cmd.error && (
        <span className="inline-error" role="alert" data-testid={`${props.testId}-error`}>
          {cmd.error}
        </span>
      )}
    </span>
  )
}

/** The top bar's "Export CSV": the trades of the shown window and the subscribed symbols. */
export function ExportButton(): React.JSX.Element {
  return (
    <ExportControl
      table="trades"
      label="Export CSV"
      title="The trades of the shown window and the subscribed symbols, as CSV"
      testId="export-trades"
    />
  )
}

/** A panel's own table as CSV, beside its maximise button; none for a view without one. */
export function PanelCsv({ viewId }: { viewId: ViewId }): React.JSX.Element | null {
  const table = kpiTableOf(viewId)
  if (!table) return null
  return (
    <ExportControl
      table={table}
      label="CSV"
      title="This view's table over the shown window, as CSV"
      testId={`panel-csv-${viewId}`}
      className="icon-button"
    />
  )
}
