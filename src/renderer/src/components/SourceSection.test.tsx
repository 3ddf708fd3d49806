// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { CONFIG, answer, requestsOf, statusIn, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AppConfig, Recording } from '@shared/contract'
import type { PipelineState } from '@shared/status'
import { dispatch } from '../hooks/use-dashboard'
import { SourceSection } from './SourceSection'

const source = (): HTMLSelectElement => screen.getByTestId('source-select')
const recording = (): HTMLSelectElement => screen.getByTestId('replay-recording')
const options = (select: HTMLSelectElement): string[] => [...select.options].map((o) => o.textContent ?? '')

const REPLAY: AppConfig = { ...CONFIG, source: 'replay' }
const RECORDINGS: Recording[] = [
  { name: 'today.jsonl', bytes: 2_000_000, modifiedAt: Date.UTC(2026, 11, 7, 9) },
  { name: 'monday.jsonl', bytes: 12_000, modifiedAt: Date.UTC(2026, 11, 1, 9) },
]

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

  it('switches to replay and offers the recordings the server lists, by name', async () => {
    answer('listRecordings', () => RECORDINGS)
    const u = setup('stopped')
    await u.selectOptions(source(), 'Replay')
    expect(requestsOf('setSource')).toEqual([{ source: 'replay' }])
    await screen.findByRole('option', { name: /^today\.jsonl \(2\.0 MB, / })
    expect(options(recording())).toEqual([
      'Choose a recording…',
      expect.stringMatching(/^today\.jsonl/),
      expect.stringMatching(/^monday\.jsonl \(12 kB/),
    ])
    expect(screen.getByTestId('replay-speed')).toBeTruthy()
    expect(screen.queryByTestId('demo-rate')).toBeNull()

    answer('setSource', (req) => ({ ...REPLAY, replayRecording: req.recording ?? null }))
    await u.selectOptions(recording(), 'monday.jsonl')
    // a name, never a path
    expect(requestsOf('setSource').at(-1)).toEqual({ source: 'replay', recording: 'monday.jsonl' })
    await expect.poll(() => recording().value).toBe('monday.jsonl')
  })

  it('says how to make a recording when there is none', async () => {
    answer('listRecordings', () => [])
    setup('stopped', REPLAY)
    expect((await screen.findByTestId('replay-none')).textContent).toContain('--record')
    expect(options(recording())).toEqual(['No recordings yet'])
  })

  it("in the app, asks main's file dialog and shows the file it chose", async () => {
    answer('listRecordings', () => RECORDINGS)
    answer('chooseReplayFile', () => ({ ...REPLAY, replayFile: 'mine.jsonl' }))
    const u = setup('stopped', REPLAY)
    await u.click(screen.getByTestId('replay-choose'))
    expect(requestsOf('chooseReplayFile')).toEqual([undefined])
    await expect.poll(() => recording().selectedOptions[0]?.textContent).toBe('mine.jsonl')
    expect(requestsOf('setSource')).toEqual([])
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
    answer('listRecordings', () => RECORDINGS)
    answer('setSource', () => {
      throw new Error('no recording named today.jsonl in the recordings folder')
    })
    const u = setup('stopped', REPLAY)
    await screen.findByRole('option', { name: /^today\.jsonl/ })
    await u.selectOptions(recording(), 'today.jsonl')
    expect(requestsOf('setSource')).toEqual([{ source: 'replay', recording: 'today.jsonl' }])
    expect((await screen.findByTestId('source-error')).textContent).toBe(
      'no recording named today.jsonl in the recordings folder',
    )
  })
})
