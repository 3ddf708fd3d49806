import { useEffect, useRef, useState } from 'react'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { useKeydown } from '../hooks/use-keydown'
import { isFocusSymbolShortcut } from '../state/pipeline-view'
import { BehaviourSection } from './BehaviourSection'
import { ConnectionsSection } from './ConnectionsSection'
import { SourceSection } from './SourceSection'
import { StorageSection } from './StorageSection'
import { SymbolsSection } from './SymbolsSection'
import { ThresholdsSection } from './ThresholdsSection'

/** The settings: symbols, thresholds, source, storage, connections and behaviour. Folds to a thin rail. */
export function SidePanel(): React.JSX.Element {
  const collapsed = useDashboard((s) => s.sideCollapsed)
  const symbolInput = useRef<HTMLInputElement>(null)
  const [focusPending, setFocusPending] = useState(false)

  useKeydown((e) => {
    const target = e.target instanceof HTMLElement ? e.target : null
    if (!isFocusSymbolShortcut(e, target?.tagName ?? null, target?.isContentEditable ?? false)) return
    e.preventDefault()
    if (collapsed) dispatch({ type: 'sideCollapsed', collapsed: false })
    setFocusPending(true)
  })
  useEffect(() => {
    if (!focusPending || collapsed) return
    symbolInput.current?.focus()
    setFocusPending(false)
  }, [focusPending, collapsed])

  return (
    <aside className={collapsed ? 'side-panel is-collapsed' : 'side-panel'} data-testid="side-panel">
      <button
        type="button"
        className="icon-button side-toggle"
        data-testid="side-panel-toggle"
        aria-expanded={!collapsed}
        aria-controls="side-panel-content"
        title={collapsed ? 'Show settings' : 'Hide settings'}
        onClick={() => dispatch({ type: 'sideCollapsed', collapsed: !collapsed })}
      >
        {collapsed ? '»' : '«'}
      </button>
      <div className="side-content" id="side-panel-content" hidden={collapsed}>
        <SymbolsSection inputRef={symbolInput} />
        <ThresholdsSection />
        <SourceSection />
        <StorageSection />
        <ConnectionsSection />
        <BehaviourSection />
      </div>
    </aside>
  )
}
