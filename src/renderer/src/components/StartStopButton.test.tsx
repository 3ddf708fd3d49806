// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { answer, requestsOf, statusIn, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { act, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { PipelineState } from '@shared/status'
import { dispatch } from '../hooks/use-dashboard'
import { StartStopButton } from './StartStopButton'

const button = (): HTMLButtonElement => screen.getByTestId('start-stop')

function setup(state: PipelineState): UserEvent {
  dispatch({ type: 'status', status: statusIn(state) })
  render(<StartStopButton />)
  return user()
}

describe('StartStopButton', () => {
  it('starts a stopped pipeline and then offers Stop', async () => {
    answer('startPipeline', () => statusIn('running'))
    const u = setup('stopped')
    expect(button().textContent).toBe('Start')
    await u.click(button())
    expect(requestsOf('startPipeline')).toHaveLength(1)
    expect(button().textContent).toBe('Stop')
  })

  it('stops a running pipeline with Ctrl+Enter', async () => {
    answer('stopPipeline', () => statusIn('draining'))
    const u = setup('running')
    await u.keyboard('{Control>}{Enter}{/Control}')
    expect(requestsOf('stopPipeline')).toHaveLength(1)
    expect(button().disabled).toBe(true)
  })

  it('offers Stop while a start waits for the broker, which ends the wait', async () => {
    let refuse: (err: Error) => void = () => undefined
    answer('startPipeline', () => new Promise((_, reject) => (refuse = reject)))
    answer('stopPipeline', () => {
      refuse(new Error('stopped while Kafka was starting: the pipeline did not start'))
      return statusIn('stopped')
    })
    const u = setup('stopped')
    await u.click(button())
    expect(button().disabled).toBe(true) // the start is under way; no second start
    const waiting = statusIn('starting')
    waiting.detail = 'starting Kafka…'
    act(() => dispatch({ type: 'status', status: waiting }))
    expect(button().textContent).toBe('Stop')
    expect(button().disabled).toBe(false)
    await u.click(button())
    expect(requestsOf('stopPipeline')).toHaveLength(1)
    expect((await screen.findByTestId('start-stop-error')).textContent).toBe(
      'stopped while Kafka was starting: the pipeline did not start',
    )
    expect(button().textContent).toBe('Start')
    expect(requestsOf('startPipeline')).toHaveLength(1)
  })

  it('cannot be pressed while the pipeline drains', async () => {
    const u = setup('draining')
    await u.click(button())
    await u.keyboard('{Control>}{Enter}{/Control}')
    expect(button().disabled).toBe(true)
    expect(requestsOf('stopPipeline')).toEqual([])
  })

  it('shows why a start failed and stays on Start', async () => {
    answer('startPipeline', () => {
      throw new Error('the broker did not start')
    })
    const u = setup('failed')
    await u.click(button())
    expect((await screen.findByTestId('start-stop-error')).textContent).toBe('the broker did not start')
    expect(button().textContent).toBe('Start')
  })
})
