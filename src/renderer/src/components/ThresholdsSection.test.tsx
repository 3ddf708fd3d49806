// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { CONFIG, answer, requestsOf, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { THRESHOLD_IDS, type ThresholdId } from '@shared/thresholds'
import { dispatch } from '../hooks/use-dashboard'
import { ThresholdsSection } from './ThresholdsSection'

const ID = 'latency_alert_ms' satisfies ThresholdId
const input = (id: string): HTMLInputElement => screen.getByTestId(`threshold-${id}`)

function setup(): UserEvent {
  dispatch({ type: 'config', config: CONFIG })
  render(<ThresholdsSection />)
  return user()
}

describe('ThresholdsSection', () => {
  it('shows one row per threshold with its stored value', () => {
    setup()
    for (const id of THRESHOLD_IDS) expect(input(id).value).toBe(String(CONFIG.thresholds[id]))
  })

  it('saves a typed value and shows what the server stored', async () => {
    answer('setThreshold', ({ id, value }) => ({ ...CONFIG.thresholds, [id]: value }))
    const u = setup()
    await u.clear(input(ID))
    await u.type(input(ID), '750')
    await u.click(screen.getByTestId(`threshold-save-${ID}`))
    expect(requestsOf('setThreshold')).toEqual([{ id: ID, value: 750 }])
    expect(input(ID).value).toBe('750')
  })

  it('refuses an empty value, without asking the server', async () => {
    const u = setup()
    await u.clear(input(ID))
    await u.click(screen.getByTestId(`threshold-save-${ID}`))
    expect(screen.getByTestId(`threshold-error-${ID}`).textContent).toBe('enter a number')
    expect(input(ID).getAttribute('aria-invalid')).toBe('true')
    expect(requestsOf('setThreshold')).toEqual([])
  })

  it("shows the server's refusal beside the row", async () => {
    answer('setThreshold', () => {
      throw new Error('latency_alert_ms must be at least 1 ms')
    })
    const u = setup()
    await u.clear(input(ID))
    await u.type(input(ID), '0{Enter}')
    expect((await screen.findByTestId(`threshold-error-${ID}`)).textContent).toBe(
      'latency_alert_ms must be at least 1 ms',
    )
  })

  it('pins symbols_subscribed with its checkbox', async () => {
    answer('pinSymbolsSubscribed', ({ pinned }) => ({ ...CONFIG, symbolsSubscribedPinned: pinned }))
    const u = setup()
    const pin = screen.getByTestId('symbols-subscribed-pin') as HTMLInputElement
    expect(pin.checked).toBe(false)
    await u.click(pin)
    expect(requestsOf('pinSymbolsSubscribed')).toEqual([{ pinned: true }])
    expect(pin.checked).toBe(true)
  })
})
