// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { CONFIG, answer, requestsOf, user } from './test-api'
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { AppConfig } from '@shared/contract'
import { ALERT_RULES } from '@shared/status'
import { dispatch } from '../hooks/use-dashboard'
import { BehaviourSection } from './BehaviourSection'

const box = (testId: string): HTMLInputElement => screen.getByTestId(testId)

function setup(behaviour: Partial<AppConfig['behaviour']> = {}): ReturnType<typeof user> {
  dispatch({ type: 'config', config: { ...CONFIG, behaviour: { ...CONFIG.behaviour, ...behaviour } } })
  render(<BehaviourSection />)
  answer('setBehaviour', (req) => {
    const { openAtLogin, ...rest } = req
    return {
      ...CONFIG,
      behaviour: {
        ...CONFIG.behaviour,
        ...behaviour,
        ...rest,
        ...(openAtLogin === undefined ? {} : { openAtLogin }),
      },
    }
  })
  return user()
}

describe('BehaviourSection', () => {
  it("shows the app's settings as they are, and one notification box per rule", () => {
    setup({ closeToTray: false, startOnOpen: true, notificationsOff: ['latency'] })
    expect(box('behaviour-close-to-tray').checked).toBe(false)
    expect(box('behaviour-start-on-open').checked).toBe(true)
    expect(box('behaviour-open-at-login').checked).toBe(false)
    for (const rule of ALERT_RULES) expect(box(`notify-${rule}`).checked).toBe(rule !== 'latency')
    expect(screen.getByTestId('notify-silent_symbol').closest('label')?.textContent).toBe('Silent symbol')
  })

  it('saves each change, and turns a rule off and on again', async () => {
    const u = setup()
    await u.click(box('behaviour-open-at-login'))
    expect(box('behaviour-open-at-login').checked).toBe(true)
    await u.click(box('notify-data_loss'))
    expect(box('notify-data_loss').checked).toBe(false)
    await u.click(box('notify-drops'))
    await u.click(box('notify-data_loss'))
    expect(requestsOf('setBehaviour')).toEqual([
      { openAtLogin: true },
      { notificationsOff: ['data_loss'] },
      { notificationsOff: ['data_loss', 'drops'] },
      { notificationsOff: ['drops'] },
    ])
  })

  it('offers no Open at login where the face has none', () => {
    setup({ openAtLogin: null })
    expect(screen.queryByTestId('behaviour-open-at-login')).toBeNull()
    expect(box('behaviour-start-on-open')).toBeTruthy()
  })
})
