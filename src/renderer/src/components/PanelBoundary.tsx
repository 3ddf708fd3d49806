import { Component, type ReactNode } from 'react'
import type { ViewId } from '../charts/types'
import { errorMessage } from '../state/errors'

interface Props {
  viewId: ViewId
  children: ReactNode
}

/** A panel that crashes shows its error in place; the rest of the dashboard keeps running. */
export class PanelBoundary extends Component<Props, { error: string | null }> {
  override state = { error: null as string | null }

  static getDerivedStateFromError(e: unknown): { error: string } {
    return { error: errorMessage(e) }
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children
    return (
      <section
        className="panel"
        data-testid={`panel-${this.props.viewId}`}
        data-state="error"
        data-updated={0}
      >
        <div className="panel-body">
          <div className="panel-msg panel-msg-error" role="alert">
            This panel failed: {this.state.error}
          </div>
        </div>
      </section>
    )
  }
}
