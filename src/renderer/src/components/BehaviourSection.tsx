import { useCallback } from 'react'
import type { CommandRequest } from '@shared/contract'
import { ALERT_RULE_LABELS, ALERT_RULES, type AlertRule } from '@shared/status'
import { api, browserMode } from '../api'
import { useCommand } from '../hooks/use-command'
import { dispatch, useDashboard } from '../hooks/use-dashboard'

/**
 * How Tickflow behaves around its window: keep collecting in the tray, resume a run on open, open
 * at login (the desktop app's), and which alerts become desktop notifications.
 */
export function BehaviourSection(): React.JSX.Element {
  const behaviour = useDashboard((s) => s.config?.behaviour ?? null)
  const cmd = useCommand(
    useCallback(async (req: CommandRequest<'setBehaviour'>) => {
      const config = await api.setBehaviour(req)
      dispatch({ type: 'config', config })
      return config
    }, []),
  )

  if (!behaviour)
    return (
      <section className="side-section">
        <h3>Behaviour</h3>
        <p className="muted">Loading…</p>
      </section>
    )
  const set = (req: CommandRequest<'setBehaviour'>): void => void cmd.run(req)
  const notify = (rule: AlertRule, on: boolean): void =>
    set({
      notificationsOff: on
        ? behaviour.notificationsOff.filter((r) => r !== rule)
        : [...behaviour.notificationsOff, rule],
    })
  const toggle = (testId: string, label: string, checked: boolean, onChange: (on: boolean) => void) => (
    <label className="toggle">
      <input
        type="checkbox"
        data-testid={testId}
        checked={checked}
        disabled={cmd.pending}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  )

  return (
    <section className="side-section behaviour-section" aria-labelledby="behaviour-heading">
      <h3 id="behaviour-heading">Behaviour</h3>
      {!browserMode &&
        toggle(
          'behaviour-close-to-tray',
          'Keep collecting in the tray when the window closes',
          behaviour.closeToTray,
          (on) => set({ closeToTray: on }),
        )}
      {toggle(
        'behaviour-start-on-open',
        'Start collecting when Tickflow opens',
        behaviour.startOnOpen,
        (on) => set({ startOnOpen: on }),
      )}
      {behaviour.openAtLogin !== null &&
        toggle('behaviour-open-at-login', 'Open at login (in the tray)', behaviour.openAtLogin, (on) =>
          set({ openAtLogin: on }),
        )}
      <fieldset className="notify-rules">
        <legend>Desktop notifications</legend>
        {ALERT_RULES.map((rule) => (
          <span key={rule}>
            {toggle(
              `notify-${rule}`,
              ALERT_RULE_LABELS[rule],
              !behaviour.notificationsOff.includes(rule),
              (on) => notify(rule, on),
            )}
          </span>
        ))}
      </fieldset>
      {cmd.error && (
        <p className="inline-error" role="alert" data-testid="behaviour-error">
          {cmd.error}
        </p>
      )}
    </section>
  )
}
