import { describe, expect, it } from 'vitest'
import { shellPaths } from './paths'

describe('shellPaths', () => {
  it('keeps everything the app writes under userData', () => {
    const userData = '/home/ann/.config/tickflow'
    const paths = shellPaths(userData)
    expect(paths).toEqual({
      dataDir: '/home/ann/.config/tickflow/data',
      cacheDir: '/home/ann/.config/tickflow/cache',
      windowState: '/home/ann/.config/tickflow/window-state.json',
    })
  })
})
