// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it
import { answer, requestsOf, statusIn, user } from './test-api'
import type { UserEvent } from '@testing-library/user-event'
import { act, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../hooks/use-dashboard'
import { ConnectionsSection } from './ConnectionsSection'

function setup(): UserEvent {
  dispatch({ type: 'status', status: statusIn('running') })
  render(<ConnectionsSection />)
  return user()
}

describe('ConnectionsSection', () => {
  it('says what is in use', () => {
    setup()
    expect(screen.getByText('Local broker (127.0.0.1:9092)')).toBeTruthy()
    expect(screen.getByText('Embedded')).toBeTruthy()
    expect((screen.getByTestId('kafka-input') as HTMLInputElement).value).toBe('127.0.0.1:9092')
  })

  it('says the local broker is starting until it answers, then where it is', () => {
    const starting = statusIn('stopped')
    starting.kafka = { ...starting.kafka, bootstrap: '', state: 'starting', detail: null }
    dispatch({ type: 'status', status: starting })
    render(<ConnectionsSection />)
    expect(screen.getByText('Local broker (starting…)')).toBeTruthy()
    expect((screen.getByTestId('kafka-input') as HTMLInputElement).value).toBe('')
    act(() => dispatch({ type: 'status', status: statusIn('stopped') }))
    expect(screen.getByText('Local broker (127.0.0.1:9092)')).toBeTruthy()
    expect((screen.getByTestId('kafka-input') as HTMLInputElement).value).toBe('127.0.0.1:9092')
  })

  it('offers the brokers alone to test, without how the pipeline logs in', () => {
    const secured = statusIn('running')
    secured.kafka = {
      ...secured.kafka,
      bootstrap: '127.0.0.1:9092,127.0.0.1:9093, ssl, sasl scram-sha-256 as tickflow',
    }
    dispatch({ type: 'status', status: secured })
    render(<ConnectionsSection />)
    expect((screen.getByTestId('kafka-input') as HTMLInputElement).value).toBe(
      '127.0.0.1:9092,127.0.0.1:9093',
    )
  })

  it('tests the brokers the user typed and shows the answer', async () => {
    answer('testConnection', () => ({ ok: true, message: 'connected to broker-2:9092' }))
    const u = setup()
    await u.clear(screen.getByTestId('kafka-input'))
    await u.type(screen.getByTestId('kafka-input'), 'broker-2:9092')
    await u.click(screen.getByTestId('kafka-test'))
    expect(requestsOf('testConnection')).toEqual([{ kind: 'kafka', brokers: 'broker-2:9092' }])
    expect((await screen.findByTestId('kafka-test-result')).textContent).toBe('✓ connected to broker-2:9092')
  })

  it('tests a database URL and shows a failure as such', async () => {
    answer('testConnection', () => ({ ok: false, message: 'connection refused' }))
    const u = setup()
    await u.type(screen.getByTestId('postgres-input'), 'postgres://db:5432/x{Enter}')
    expect(requestsOf('testConnection')).toEqual([{ kind: 'postgres', url: 'postgres://db:5432/x' }])
    expect((await screen.findByTestId('postgres-test-result')).textContent).toBe('✗ connection refused')
  })
})
