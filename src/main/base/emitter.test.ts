import { describe, expect, it } from 'vitest'
import { Emitter } from './emitter'

describe('Emitter', () => {
  it('calls every listener with the value, until it unsubscribes', () => {
    const e = new Emitter<number>(() => undefined)
    const a: number[] = []
    const b: number[] = []
    const offA = e.on((v) => a.push(v))
    e.on((v) => b.push(v))
    e.fire(1)
    offA()
    e.fire(2)
    expect(a).toEqual([1])
    expect(b).toEqual([1, 2])
    expect(e.size).toBe(1)
  })

  it('hands a throwing listener to the error handler and still calls the others', () => {
    const errors: unknown[] = []
    const e = new Emitter<string>((err) => errors.push(err))
    const heard: string[] = []
    const boom = new Error('listener bug')
    e.on(() => {
      throw boom
    })
    e.on((v) => heard.push(v))
    expect(() => e.fire('x')).not.toThrow()
    expect(heard).toEqual(['x'])
    expect(errors).toEqual([boom])
  })

  it('forgets every listener on clear', () => {
    const e = new Emitter<void>(() => undefined)
    let calls = 0
    e.on(() => calls++)
    e.clear()
    e.fire()
    expect(calls).toBe(0)
    expect(e.size).toBe(0)
  })
})
