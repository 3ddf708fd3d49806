import { useMemo } from 'react'
import { DEFAULT_THRESHOLDS } from '@shared/thresholds'
import { colorFor } from '../theme/palette'
import { VIEWS } from '../charts/views'
import { useColorScheme } from '../hooks/use-color-scheme'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { useKeydown } from '../hooks/use-keydown'
import { useLocale } from '../hooks/use-locale'
import { Panel, type BaseContext } from './Panel'
import { PanelBoundary } from './PanelBoundary'

const NO_SYMBOLS: string[] = []

/** The ten views: three across on a wide window, two on a narrow one; one can fill the area. */
export function PanelGrid(): React.JSX.Element {
  const theme = useColorScheme()
  const locale = useLocale()
  const timeZone = useDashboard((s) => s.timeZone)
  const symbols = useDashboard((s) => s.config?.symbols ?? NO_SYMBOLS)
  const symbolsSubscribed = useDashboard(
    (s) => s.config?.thresholds.symbols_subscribed ?? DEFAULT_THRESHOLDS.symbols_subscribed,
  )
  const maximised = useDashboard((s) => s.maximised)

  const colorOf = useMemo(() => colorFor(symbols), [symbols])
  const base = useMemo<BaseContext>(
    () => ({ timeZone, locale, theme, colorOf, symbols, symbolsSubscribed }),
    [timeZone, locale, theme, colorOf, symbols, symbolsSubscribed],
  )

  useKeydown((e) => {
    if (e.key === 'Escape' && maximised) dispatch({ type: 'maximise', view: null })
  })

  return (
    <div className={maximised ? 'panel-grid has-maximised' : 'panel-grid'}>
      {VIEWS.map((view) => (
        <PanelBoundary key={view.id} viewId={view.id}>
          <Panel view={view} base={base} maximised={maximised === view.id} />
        </PanelBoundary>
      ))}
    </div>
  )
}
