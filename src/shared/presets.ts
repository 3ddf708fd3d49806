/** Ready-made symbol lists for the subscription panel, in Finnhub's spelling. */
export const SYMBOL_PRESETS: Record<'stocks' | 'crypto' | 'fx', { label: string; symbols: string[] }> = {
  stocks: { label: 'Stocks', symbols: ['AAPL', 'AMZN', 'MSFT', 'NVDA', 'TSLA'] },
  crypto: { label: 'Crypto', symbols: ['BINANCE:BTCUSDT', 'BINANCE:ETHUSDT', 'BINANCE:SOLUSDT'] },
  fx: { label: 'FX', symbols: ['IC MARKETS:1', 'OANDA:EUR_USD', 'OANDA:GBP_USD'] },
}
