import { useCallback } from 'react'
import type { CommandRequest } from '@shared/contract'
import type { SourceKind } from '@shared/status'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { parseNumberInput, parseSpeed, REPLAY_SPEEDS, speedOption } from '../state/forms'
import { canEditSource } from '../state/pipeline-view'
import { CommitInput } from './CommitInput'
import { FinnhubToken } from './FinnhubToken'
import { ReplayFile } from './ReplayFile'

const SOURCES: { value: SourceKind; label: string }[] = [
  { value: 'demo', label: 'Demo' },
  { value: 'finnhub', label: 'Finnhub' },
  { value: 'replay', label: 'Replay' },
]

/** Where trades come from at the next start; locked while the pipeline runs. */
export function SourceSection(): React.JSX.Element {
  const config = useDashboard((s) => s.config)
  const editable = useDashboard((s) => canEditSource(s.status?.state ?? null))
  const cmd = useCommand(
    useCallback(async (req: CommandRequest<'setSource'>) => {
      const config = await api.setSource(req)
      dispatch({ type: 'config', config })
      return config
    }, []),
  )

  if (!config)
    return (
      <section className="side-section">
        <h3>Source</h3>
        <p className="muted">Loading…</p>
      </section>
    )
  const set = (patch: Omit<CommandRequest<'setSource'>, 'source'>, source = config.source): void =>
    void cmd.run({ source, ...patch })
  const disabled = !editable || cmd.pending
  const speeds: string[] = [...REPLAY_SPEEDS]
  if (!speeds.includes(speedOption(config.speed))) speeds.push(speedOption(config.speed))

  return (
    <section className="side-section" aria-labelledby="source-heading">
      <h3 id="source-heading">Source</h3>
      {!editable && <p className="muted">Stop the pipeline to change the source.</p>}
      <label className="field">
        <span>Source</span>
        <select
          data-testid="source-select"
          value={config.source}
          disabled={disabled}
          onChange={(e) => set({}, e.target.value as SourceKind)}
        >
          {SOURCES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {config.source === 'finnhub' && <FinnhubToken state={config.finnhubToken} />}
      {config.source === 'replay' && (
        <>
          <ReplayFile config={config} disabled={disabled} onPick={(recording) => set({ recording })} />
          <label className="field">
            <span>Speed</span>
            <select
              data-testid="replay-speed"
              value={speedOption(config.speed)}
              disabled={disabled}
              onChange={(e) => {
                const speed = parseSpeed(e.target.value)
                if (speed !== null) set({ speed })
              }}
            >
              {speeds.map((s) => (
                <option key={s} value={s}>
                  {s === 'max' ? 'As fast as possible' : `${s}×`}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {config.source === 'demo' && (
        <label className="field">
          <span>Rate (trades/s)</span>
          <CommitInput
            testId="demo-rate"
            type="number"
            value={String(config.demoRate)}
            disabled={disabled}
            onCommit={(text) => {
              const n = parseNumberInput(text)
              if (n.ok) set({ demoRate: n.value })
            }}
          />
        </label>
      )}
      {cmd.error && (
        <p className="inline-error" role="alert" data-testid="source-error">
          {cmd.error}
        </p>
      )}
    </section>
  )
}
