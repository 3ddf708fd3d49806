// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { answer, requestsOf, statusIn, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { render, screen } from '@testing-library/react'
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
