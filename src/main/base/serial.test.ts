import { describe, expect, it } from 'vitest'
import { serialize } from './serial'

describe('serialize', () => {
  it('runs tasks one at a time, in call order', async () => {
    const run = serialize()
    const log: string[] = []
    const task = (name: string, ticks: number) => async (): Promise<string> => {
      log.push(`${name} start`)
      for (let i = 0; i < ticks; i++) await Promise.resolve()
      log.push(`${name} end`)
      return name
    }
    const results = await Promise.all([run(task('a', 5)), run(task('b', 0)), run(task('c', 2))])
    expect(results).toEqual(['a', 'b', 'c'])
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end'])
  })

  it('fails only the caller of a failed task; the next still runs', async () => {
    const run = serialize()
    const failed = run(() => Promise.reject(new Error('boom')))
    const next = run(() => Promise.resolve('ran'))
    await expect(failed).rejects.toThrow('boom')
    await expect(next).resolves.toBe('ran')
  })
})
