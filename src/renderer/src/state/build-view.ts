import type { WindowSnapshot } from '@shared/contract'
import type { ChartContext, ViewDef } from '../charts/types'
import { errorMessage } from './errors'

type ViewOption = ReturnType<ViewDef['build']>

export type BuiltView = { ok: true; option: ViewOption; empty: boolean } | { ok: false; error: string }

/** A view's option for a snapshot; a builder that throws shows as that panel's error, not a blank page. */
export function buildView(
  view: Pick<ViewDef, 'isEmpty' | 'build'>,
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): BuiltView {
  try {
    return { ok: true, option: view.build(snapshot, ctx), empty: view.isEmpty(snapshot) }
  } catch (e) {
    return { ok: false, error: `cannot draw this view: ${errorMessage(e)}` }
  }
}
