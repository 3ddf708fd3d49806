import type { PipelineStatus } from '@shared/status'
import { useDashboard } from '../hooks/use-dashboard'
import { ConnectionTest } from './ConnectionTest'

/** The managed broker's address once it answers; until then, how its start goes. */
function localBroker(kafka: Pick<PipelineStatus['kafka'], 'state' | 'bootstrap'>): string {
  return kafka.state === 'ready'
    ? kafka.bootstrap
    : kafka.state === 'starting'
      ? 'starting…'
      : 'failed to start'
}

/**
 * The brokers alone, for the test field: the status says "b1:9093,b2:9093, ssl, sasl plain as me"
 * (main's describeConnection), and the test takes the list; the credentials it reuses itself.
 */
export function brokerList(bootstrap: string): string {
  return bootstrap.split(', ')[0] ?? ''
}

/** Where the pipeline writes, and a check of another broker or database before the next launch. */
export function ConnectionsSection(): React.JSX.Element {
  const kafka = useDashboard((s) => s.status?.kafka ?? null)
  const postgres = useDashboard((s) => s.status?.postgres ?? null)
  return (
    <section className="side-section" aria-labelledby="connections-heading">
      <h3 id="connections-heading">Connections</h3>
      <ConnectionTest
        kind="kafka"
        label="Kafka"
        current={kafka ? (kafka.managed ? `Local broker (${localBroker(kafka)})` : kafka.bootstrap) : null}
        initial={brokerList(kafka?.bootstrap ?? '')}
        placeholder="host:9092,host2:9092"
      />
      <ConnectionTest
        kind="postgres"
        label="PostgreSQL"
        current={postgres ? (postgres.embedded ? 'Embedded' : postgres.target) : null}
        initial=""
        placeholder="postgres://user:password@host:5432/db"
      />
      <p className="muted note">
        Local (managed broker and embedded PostgreSQL) is the default; a different connection applies at the
        next launch via <code>--brokers</code> / <code>--database-url</code>.
      </p>
    </section>
  )
}
