// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { answer, requestsOf, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { WindowSnapshot } from '@shared/contract'
import { appStore } from '../state/app-store'
import { toInputValue } from '../state/time-range'
import { WindowPicker } from './WindowPicker'

const select = (): HTMLSelectElement => screen.getByLabelText('Time window')

function setup(): UserEvent {
  // the picker shows the watched window; the reply's contents are the panels' business
  answer('watch', () => new Promise<WindowSnapshot>(() => undefined))
  render(<WindowPicker />)
  return user()
}

describe('WindowPicker', () => {
  it('watches the preset the user picks', async () => {
    const u = setup()
    await u.selectOptions(select(), 'Last hour')
    expect(requestsOf('watch')).toEqual([{ window: { preset: '1h' } }])
    expect(select().value).toBe('1h')
  })

  it('watches a custom range typed in the shown zone', async () => {
    appStore.dispatch({ type: 'timeZone', timeZone: 'utc' })
    const u = setup()
    await u.selectOptions(select(), 'Custom…')
    const from = Date.UTC(2026, 0, 5, 9, 0)
    const to = Date.UTC(2026, 0, 5, 17, 30)
    await u.clear(screen.getByTestId('custom-from'))
    await u.type(screen.getByTestId('custom-from'), toInputValue(from, 'utc'))
    await u.clear(screen.getByTestId('custom-to'))
    await u.type(screen.getByTestId('custom-to'), toInputValue(to, 'utc'))
    await u.click(screen.getByTestId('custom-apply'))
    expect(requestsOf('watch').at(-1)).toEqual({ window: { from, to } })
    expect(select().value).toBe('custom')
  })

  it('refuses a range that ends before it starts', async () => {
    const u = setup()
    await u.selectOptions(select(), 'Custom…')
    const before = requestsOf('watch').length
    const from = (screen.getByTestId('custom-from') as HTMLInputElement).value
    const to = (screen.getByTestId('custom-to') as HTMLInputElement).value
    await u.clear(screen.getByTestId('custom-from'))
    await u.type(screen.getByTestId('custom-from'), to)
    await u.clear(screen.getByTestId('custom-to'))
    await u.type(screen.getByTestId('custom-to'), from)
    await u.click(screen.getByTestId('custom-apply'))
    expect(screen.getByTestId('custom-error').textContent).not.toBe('')
    expect(requestsOf('watch')).toHaveLength(before)
  })
})
