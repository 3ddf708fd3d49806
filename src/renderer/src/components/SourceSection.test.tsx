// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { CONFIG, answer, requestsOf, statusIn, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AppConfig } from '@shared/contract'
import type { PipelineState } from '@shared/status'
import { dispatch } from '../hooks/use-dashboard'
import { SourceSection } from './SourceSection'

const source = (): HTMLSelectElement => screen.getByTestId('source-select')

function setup(state: PipelineState, config: AppConfig = CONFIG): UserEvent {
  dispatch({ type: 'config', config })
  dispatch({ type: 'status', status: statusIn(state) })
  render(<SourceSection />)
  return user()
}

describe('SourceSection', () => {
  beforeEach(() => {
    // the server's reply: the request applied to the settings
    answer('setSource', (req) => ({ ...CONFIG, ...req }))
    answer('setFinnhubToken', ({ token }) => ({
      ...CONFIG,
      source: 'finnhub',
      finnhubToken: token ? 'set' : 'not set',
    }))
  })

  it('switches to replay and shows its file and speed', async () => {
    const u = setup('stopped')
    await u.selectOptions(source(), 'Replay')
    expect(requestsOf('setSource')).toEqual([{ source: 'replay' }])
    expect(await screen.findByTestId('replay-file')).toBeTruthy()
    expect(screen.queryByTestId('demo-rate')).toBeNull()
  })

  it('sends the demo rate on Enter, not on each keystroke', async () => {
    const u = setup('stopped')
    await u.clear(screen.getByTestId('demo-rate'))
    await u.type(screen.getByTestId('demo-rate'), '200')
    expect(requestsOf('setSource')).toEqual([])
    await u.keyboard('{Enter}')
    expect(requestsOf('setSource')).toEqual([{ source: 'demo', demoRate: 200 }])
  })

  it('is locked while the pipeline runs', async () => {
    const u = setup('running')
    expect(screen.getByText('Stop the pipeline to change the source.')).toBeTruthy()
    expect(source().disabled).toBe(true)
    await u.type(screen.getByTestId('demo-rate'), '9{Enter}')
    expect(requestsOf('setSource')).toEqual([])
  })

  it('saves a Finnhub token without showing it back', async () => {
    const u = setup('stopped', { ...CONFIG, source: 'finnhub' })
    await u.type(screen.getByTestId('finnhub-token-input'), ' secret-token {Enter}')
    expect(requestsOf('setFinnhubToken')).toEqual([{ token: 'secret-token' }])
    expect((await screen.findByTestId('finnhub-token-state')).textContent).toBe('set')
    expect((screen.getByTestId('finnhub-token-input') as HTMLInputElement).value).toBe('')
  })

  it("shows the server's refusal", async () => {
    answer('setSource', () => {
      throw new Error('no such file: /nope.jsonl')
    })
    const u = setup('stopped', { ...CONFIG, source: 'replay' })
    await u.type(screen.getByTestId('replay-file'), '/nope.jsonl{Enter}')
    expect(requestsOf('setSource')).toEqual([{ source: 'replay', replayFile: '/nope.jsonl' }])
    expect((await screen.findByTestId('source-error')).textContent).toBe('no such file: /nope.jsonl')
  })
})
