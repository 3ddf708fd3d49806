import { describe, expect, it } from 'vitest'
import type { WindowSnapshot } from '@shared/contract'
import type { ChartContext } from '../charts/types'
import { buildView } from './build-view'

const snapshot = { lag: [] } as unknown as WindowSnapshot
const ctx = {} as ChartContext

describe('buildView', () => {
  it('returns the option and whether the view is empty', () => {
    const view = { isEmpty: (s: WindowSnapshot) => s.lag.length === 0, build: () => ({ series: [] }) }
    expect(buildView(view, snapshot, ctx)).toEqual({ ok: true, option: { series: [] }, empty: true })
  })
  it('turns a throwing builder into an error', () => {
    const view = {
      isEmpty: () => false,
      build: () => {
        throw new Error('bad data')
      },
    }
    expect(buildView(view, snapshot, ctx)).toEqual({ ok: false, error: 'cannot draw this view: bad data' })
  })
})
