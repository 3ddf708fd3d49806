import type { FeedError } from '@shared/status'
import { feedErrorFor } from '../state/symbol-input'

interface Props {
  symbols: readonly string[]
  feedErrors: readonly FeedError[]
  onRemove: (symbol: string) => void
  busy: boolean
}

/** The subscribed symbols, each with a remove button and Finnhub's error about it, if any. */
export function SymbolList({ symbols, feedErrors, onRemove, busy }: Props): React.JSX.Element {
  return (
    <ul className="symbol-list" data-testid="symbol-list">
      {symbols.map((symbol) => {
        const feedError = feedErrorFor(feedErrors, symbol)
        return (
          <li key={symbol} className="symbol-item" data-testid="symbol-item" data-symbol={symbol}>
            <span className="symbol-name">{symbol}</span>
            {feedError && (
              <span className="symbol-feed-error" data-testid="symbol-feed-error" title={feedError}>
                {feedError}
              </span>
            )}
            <button
              type="button"
              className="icon-button"
              data-testid="symbol-remove"
              aria-label={`Remove ${symbol}`}
              title={`Remove ${symbol}`}
              disabled={busy}
              onClick={() => onRemove(symbol)}
            >
              ×
            </button>
          </li>
        )
      })}
    </ul>
  )
}
