import { useEffect, useRef } from 'react'

/** Listens to keydown on the window with the latest handler, without re-subscribing each render. */
export function useKeydown(handler: (e: KeyboardEvent) => void): void {
  const ref = useRef(handler)
  useEffect(() => {
    ref.current = handler
  })
  useEffect(() => {
    const listener = (e: KeyboardEvent): void => ref.current(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])
}
