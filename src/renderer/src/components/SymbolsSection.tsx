import { useCallback, useState, type RefObject } from 'react'
import { SYMBOL_PRESETS } from '@shared/presets'
import { MAX_SYMBOLS } from '@shared/symbols'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { checkSymbol, generalFeedError, limitWarning, presetAdditions } from '../state/symbol-input'
import { SymbolList } from './SymbolList'

const NO_SYMBOLS: string[] = []
const PRESET_IDS = Object.keys(SYMBOL_PRESETS) as (keyof typeof SYMBOL_PRESETS)[]

/** Subscribes one symbol after another (live while running) and keeps the store's list in step. */
async function subscribeAll(symbols: readonly string[]): Promise<number> {
  for (const symbol of symbols) dispatch({ type: 'symbols', symbols: await api.subscribe({ symbol }) })
  return symbols.length
}

/** The subscription: the list, an input ("/" focuses it) with Add, and ready-made presets. */
export function SymbolsSection({
  inputRef,
}: {
  inputRef: RefObject<HTMLInputElement | null>
}): React.JSX.Element {
  const symbols = useDashboard((s) => s.config?.symbols ?? NO_SYMBOLS)
  const loaded = useDashboard((s) => s.config !== null)
  const feedErrors = useDashboard((s) => s.status?.feedErrors)
  const [text, setText] = useState('')
  const [invalid, setInvalid] = useState<string | null>(null)
  const cmd = useCommand(subscribeAll)
  const remove = useCommand(
    useCallback(
      async (symbol: string) => dispatch({ type: 'symbols', symbols: await api.unsubscribe({ symbol }) }),
      [],
    ),
  )

  const add = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    const check = checkSymbol(text, symbols)
    if (!check.ok) return setInvalid(check.message)
    setInvalid(null)
    if ((await cmd.run([check.symbol])) !== undefined) setText('')
  }

  const addPreset = (id: (typeof PRESET_IDS)[number]): void => {
    const additions = presetAdditions(symbols, SYMBOL_PRESETS[id].symbols)
    if (additions.length === 0)
      return setInvalid(
        symbols.length >= MAX_SYMBOLS
          ? `at most ${MAX_SYMBOLS} symbols per connection`
          : `every ${SYMBOL_PRESETS[id].label} symbol is already in the list`,
      )
    setInvalid(null)
    void cmd.run(additions)
  }

  const warning = limitWarning(symbols.length)
  const error = invalid ?? cmd.error ?? remove.error
  const general = generalFeedError(feedErrors ?? [])

  return (
    <section className="side-section" aria-labelledby="symbols-heading">
      <h3 id="symbols-heading">
        Symbols <span className="muted">{loaded ? `${symbols.length} / ${MAX_SYMBOLS}` : ''}</span>
      </h3>
      <form className="row" onSubmit={(e) => void add(e)} noValidate>
        <input
          ref={inputRef}
          data-testid="symbol-input"
          aria-label="Symbol to add"
          aria-invalid={invalid !== null}
          placeholder="AAPL, BINANCE:BTCUSDT  ( / )"
          title="Press / to focus"
          value={text}
          onChange={(e) => {
            setText(e.target.value)
            setInvalid(null)
          }}
        />
        <button type="submit" data-testid="symbol-add" disabled={cmd.pending || !loaded}>
          Add
        </button>
      </form>
      {error && (
        <p className="inline-error" role="alert" data-testid="symbol-error">
          {error}
        </p>
      )}
      {warning && (
        <p className={`inline-warning level-${warning.level}`} data-testid="symbol-limit-warning">
          {warning.message}
        </p>
      )}
      <div className="row presets">
        {PRESET_IDS.map((id) => (
          <button
            key={id}
            type="button"
            className="small"
            data-testid={`preset-${id}`}
            title={`Add ${SYMBOL_PRESETS[id].symbols.join(', ')}`}
            disabled={cmd.pending || !loaded}
            onClick={() => addPreset(id)}
          >
            + {SYMBOL_PRESETS[id].label}
          </button>
        ))}
      </div>
      <SymbolList
        symbols={symbols}
        feedErrors={feedErrors ?? []}
        onRemove={(s) => void remove.run(s)}
        busy={remove.pending}
      />
      {general && <p className="inline-error">Feed: {general.message}</p>}
    </section>
  )
}
