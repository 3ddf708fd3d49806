import { describe, expect, it } from 'vitest'
import { createSource } from './create-source'

describe('createSource', () => {
  it('builds each kind', async () => {
    const symbols = ['AAPL']
    expect((await createSource({ source: 'demo', symbols, demoRate: 10 })).kind).toBe('demo')
    const live = await createSource({ source: 'finnhub', symbols, finnhubToken: 'secret-token' })
    expect(live.kind).toBe('finnhub')
    expect(live.symbols()).toEqual(symbols)
    expect(JSON.stringify(live.status())).not.toContain('secret-token')
    expect(
      (await createSource({ source: 'replay', symbols, replayFile: 'x.jsonl', speed: 'max' })).kind,
    ).toBe('replay')
  })

  it('explains settings that cannot work', async () => {
    await expect(createSource({ source: 'finnhub', symbols: [] })).rejects.toThrow(/needs an API token/)
    await expect(createSource({ source: 'replay', symbols: [] })).rejects.toThrow(/needs a recording file/)
  })
})
