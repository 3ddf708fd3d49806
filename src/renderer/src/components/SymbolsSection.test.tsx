// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { CONFIG, answer, requestsOf, statusIn, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { render, screen, waitFor, within } from '@testing-library/react'
import { createRef } from 'react'
import { beforeEach, describe, expect, it } from 'vitest'
import { SYMBOL_PRESETS } from '@shared/presets'
import { dispatch } from '../hooks/use-dashboard'
import { SymbolsSection } from './SymbolsSection'

const listed = (): string[] =>
  within(screen.getByTestId('symbol-list'))
    .queryAllByTestId('symbol-item')
    .map((li) => li.getAttribute('data-symbol') ?? '')

function setup(): UserEvent {
  dispatch({ type: 'config', config: CONFIG })
  dispatch({ type: 'status', status: statusIn('stopped') })
  render(<SymbolsSection inputRef={createRef()} />)
  return user()
}

describe('SymbolsSection', () => {
  let subscribed: string[]
  beforeEach(() => {
    subscribed = [...CONFIG.symbols]
    answer('subscribe', ({ symbol }) => (subscribed = [...subscribed, symbol]))
    answer('unsubscribe', ({ symbol }) => (subscribed = subscribed.filter((s) => s !== symbol)))
  })

  it('subscribes what the user types, lists it and empties the input', async () => {
    const u = setup()
    await u.type(screen.getByLabelText('Symbol to add'), ' BINANCE:BTCUSDT {Enter}')
    expect(await screen.findByText('BINANCE:BTCUSDT')).toBeTruthy()
    expect(requestsOf('subscribe')).toEqual([{ symbol: 'BINANCE:BTCUSDT' }])
    expect(listed()).toEqual(['AAPL', 'AMZN', 'BINANCE:BTCUSDT'])
    expect((screen.getByLabelText('Symbol to add') as HTMLInputElement).value).toBe('')
  })

  it('refuses a symbol already listed, without asking the server', async () => {
    const u = setup()
    await u.type(screen.getByLabelText('Symbol to add'), 'AAPL')
    await u.click(screen.getByRole('button', { name: 'Add' }))
    expect(screen.getByRole('alert').textContent).toBe('AAPL is already in the list')
    expect(requestsOf('subscribe')).toEqual([])
  })

  it("shows the server's refusal and keeps what was typed", async () => {
    answer('subscribe', () => {
      throw new Error('Finnhub refused the symbol')
    })
    const u = setup()
    await u.type(screen.getByLabelText('Symbol to add'), 'MSFT{Enter}')
    expect((await screen.findByRole('alert')).textContent).toBe('Finnhub refused the symbol')
    expect((screen.getByLabelText('Symbol to add') as HTMLInputElement).value).toBe('MSFT')
    expect(listed()).toEqual(['AAPL', 'AMZN'])
  })

  it('removes a symbol with its × button', async () => {
    const u = setup()
    await u.click(screen.getByRole('button', { name: 'Remove AAPL' }))
    await waitFor(() => expect(listed()).toEqual(['AMZN']))
    expect(requestsOf('unsubscribe')).toEqual([{ symbol: 'AAPL' }])
  })

  it('adds a preset’s missing symbols one after another, in its order', async () => {
    const [id, preset] = Object.entries(SYMBOL_PRESETS)[0]!
    const u = setup()
    await u.click(screen.getByTestId(`preset-${id}`))
    const missing = preset.symbols.filter((s) => !CONFIG.symbols.includes(s))
    expect(await screen.findByText(missing.at(-1)!)).toBeTruthy()
    expect(requestsOf('subscribe')).toEqual(missing.map((symbol) => ({ symbol })))
  })
})
