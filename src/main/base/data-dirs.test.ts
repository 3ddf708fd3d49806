import { describe, expect, it } from 'vitest'
import { defaultCacheDir, defaultDataDir } from './data-dirs'

describe('defaultDataDir', () => {
  it('prefers TICKFLOW_DATA_DIR, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(defaultDataDir({ TICKFLOW_DATA_DIR: '/srv/tf', XDG_DATA_HOME: '/x' }, '/home/u')).toBe('/srv/tf')
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, '/home/u')).toBe('/x/tickflow')
    expect(defaultDataDir({}, '/home/u', 1000)).toBe('/home/u/.local/share/tickflow')
    expect(defaultDataDir({ XDG_DATA_HOME: '' }, '/home/u', 1000)).toBe('/home/u/.local/share/tickflow')
  })

  it('keeps root out of /root, which the postgres user cannot enter', () => {
    expect(defaultDataDir({}, '/root', 0)).toBe('/var/lib/tickflow')
    expect(defaultDataDir({ TICKFLOW_DATA_DIR: '/srv/tf' }, '/root', 0)).toBe('/srv/tf')
  })
})

describe('defaultCacheDir', () => {
  it('prefers TICKFLOW_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ TICKFLOW_CACHE_DIR: '/c' }, '/home/u')).toBe('/c')
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xc' }, '/home/u')).toBe('/xc/tickflow')
    expect(defaultCacheDir({}, '/home/u')).toBe('/home/u/.cache/tickflow')
  })
})
