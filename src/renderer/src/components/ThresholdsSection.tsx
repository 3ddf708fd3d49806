import { THRESHOLD_IDS } from '@shared/thresholds'
import { useDashboard } from '../hooks/use-dashboard'
import { ThresholdRow } from './ThresholdRow'

/** Every tunable number, with what it means; the server checks each value. */
export function ThresholdsSection(): React.JSX.Element {
  const thresholds = useDashboard((s) => s.config?.thresholds ?? null)
  const pinned = useDashboard((s) => s.config?.symbolsSubscribedPinned ?? false)
  return (
    <section className="side-section" aria-labelledby="thresholds-heading">
      <h3 id="thresholds-heading">Thresholds</h3>
      {thresholds === null ? (
        <p className="muted">Loading…</p>
      ) : (
        THRESHOLD_IDS.map((id) => <ThresholdRow key={id} id={id} value={thresholds[id]} pinned={pinned} />)
      )}
    </section>
  )
}
