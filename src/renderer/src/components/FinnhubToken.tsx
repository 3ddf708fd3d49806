import { useCallback, useState } from 'react'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'
import { dispatch } from '../hooks/use-dashboard'

/** Sets or forgets the Finnhub token. The token is never shown back: only whether it is set. */
export function FinnhubToken({ state }: { state: 'set' | 'not set' }): React.JSX.Element {
  const [token, setToken] = useState('')
  const cmd = useCommand(
    useCallback(async (value: string | null) => {
      const config = await api.setFinnhubToken({ token: value })
      dispatch({ type: 'config', config })
      return config
    }, []),
  )

  const save = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    if (!token.trim()) return
    if (await cmd.run(token.trim())) setToken('')
  }

  return (
    <form className="finnhub-token" onSubmit={(e) => void save(e)} noValidate>
      <p>
        Token: <strong data-testid="finnhub-token-state">{state}</strong>
      </p>
      <div className="row">
        <input
          type="password"
          autoComplete="off"
          data-testid="finnhub-token-input"
          aria-label="Finnhub API token"
          placeholder={state === 'set' ? 'Replace the token' : 'Paste your Finnhub token'}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" data-testid="finnhub-token-save" disabled={cmd.pending || !token.trim()}>
          Save
        </button>
        {state === 'set' && (
          <button
            type="button"
            data-testid="finnhub-token-forget"
            disabled={cmd.pending}
            onClick={() => void cmd.run(null)}
          >
            Forget
          </button>
        )}
      </div>
      {cmd.error && (
        <p className="inline-error" role="alert" data-testid="finnhub-token-error">
          {cmd.error}
        </p>
      )}
    </form>
  )
}
