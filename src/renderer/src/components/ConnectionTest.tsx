import { useCallback, useState } from 'react'
import type { ConnectionTest as TestResult } from '@shared/contract'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'

interface Props {
  kind: 'kafka' | 'postgres'
  label: string
  /** what is in use now, in words; null until the status is loaded */
  current: string | null
  /** the input's first value */
  initial: string
  placeholder: string
}

/** One connection: what is in use, and a field to test another. */
export function ConnectionTest({ kind, label, current, initial, placeholder }: Props): React.JSX.Element {
  const [draft, setDraft] = useState<string | null>(null)
  const [result, setResult] = useState<TestResult | null>(null)
  const cmd = useCommand(
    useCallback(
      (target: string) =>
        api.testConnection(kind === 'kafka' ? { kind, brokers: target } : { kind, url: target }),
      [kind],
    ),
  )
  const value = draft ?? initial

  const test = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    setResult(null)
    const r = await cmd.run(value.trim())
    if (r) setResult(r)
  }

  const shown: TestResult | null = cmd.error ? { ok: false, message: cmd.error } : result
  return (
    <form className="connection" onSubmit={(e) => void test(e)} noValidate>
      <p>
        <span className="connection-label">{label}</span> <span className="muted">{current ?? '…'}</span>
      </p>
      <div className="row">
        <input
          data-testid={`${kind}-input`}
          aria-label={`${label} connection to test`}
          placeholder={placeholder}
          value={value}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" data-testid={`${kind}-test`} disabled={cmd.pending}>
          {cmd.pending ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      {shown && (
        <p
          className={shown.ok ? 'inline-ok' : 'inline-error'}
          role="status"
          data-testid={`${kind}-test-result`}
        >
          {shown.ok ? '✓ ' : '✗ '}
          {shown.message}
        </p>
      )}
    </form>
  )
}
