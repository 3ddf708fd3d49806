import { describe, expect, it, vi } from 'vitest'
import { StartGate, type StartView } from './start-gate'

/** A launch that settles when the test says. */
function later<T>(): {
  launch: () => Promise<T>
  resolve(v: T): void
  reject(e: Error): void
  calls: number
} {
  const d = {
    calls: 0,
    resolve: (_v: T): void => undefined,
    reject: (_e: Error): void => undefined,
    launch: (): Promise<T> => {
      d.calls++
      return new Promise<T>((res, rej) => {
        d.resolve = res
        d.reject = rej
      })
    },
  }
  return d
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('StartGate', () => {
  it('starts at once, says its steps, and opens with the value', async () => {
    const d = later<string>()
    const views: StartView[] = []
    const gate = new StartGate(d.launch, () => undefined)
    gate.onChange((v) => views.push(v))
    await tick()
    expect(d.calls).toBe(1)
    expect(gate.state()).toEqual({ state: 'starting', detail: null })
    expect(gate.current()).toBeNull()
    gate.progress('formatting storage')
    expect(gate.state()).toEqual({ state: 'starting', detail: 'formatting storage' })
    d.resolve('127.0.0.1:9092')
    await expect(gate.ready()).resolves.toBe('127.0.0.1:9092')
    expect(gate.current()).toBe('127.0.0.1:9092')
    expect(views.map((v) => v.state)).toEqual(['starting', 'ready'])
    gate.progress('late line') // after the start: not a step any more
    expect(gate.state()).toEqual({ state: 'ready', detail: null })
  })

  it('keeps a failure as a state with its first line, which nobody has to await', async () => {
    const d = later<string>()
    const gate = new StartGate(d.launch, () => undefined)
    await tick()
    // Nobody awaits ready(): an unhandled rejection would fail this test run.
    d.reject(new Error('exited during startup: port taken\n<log tail>'))
    await gate.settled()
    await tick()
    expect(gate.state()).toEqual({ state: 'failed', detail: 'exited during startup: port taken' })
    await expect(gate.ready()).rejects.toThrow(/port taken/)
    expect(gate.current()).toBeNull()
  })

  it('tries again on retry() after a failure, and only then', async () => {
    const d = later<number>()
    const gate = new StartGate(d.launch, () => undefined)
    await tick()
    const first = gate.retry() // still starting: the same attempt
    expect(d.calls).toBe(1)
    d.reject(new Error('no java'))
    await expect(first).rejects.toThrow('no java')
    const again = gate.retry()
    expect(gate.state().state).toBe('starting')
    await tick()
    expect(d.calls).toBe(2)
    d.resolve(7)
    await expect(again).resolves.toBe(7)
    expect(gate.state().state).toBe('ready')
  })

  it('hands a throwing listener to its error handler and still settles', async () => {
    const d = later<number>()
    const onError = vi.fn()
    const gate = new StartGate(d.launch, onError)
    gate.onChange(() => {
      throw new Error('broken listener')
    })
    await tick()
    d.resolve(1)
    await expect(gate.ready()).resolves.toBe(1)
    await tick()
    expect(onError).toHaveBeenCalled()
    expect(gate.state().state).toBe('ready')
  })

  it('is open from the start for a value that needs no waiting', () => {
    const gate = StartGate.open('b1:9093')
    expect(gate.state()).toEqual({ state: 'ready', detail: null })
    expect(gate.current()).toBe('b1:9093')
  })
})
