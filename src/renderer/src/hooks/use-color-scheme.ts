import { useSyncExternalStore } from 'react'

const QUERY = '(prefers-color-scheme: dark)'

function subscribe(onChange: () => void): () => void {
  const mq = window.matchMedia(QUERY)
  mq.addEventListener('change', onChange)
  return () => mq.removeEventListener('change', onChange)
}

const isDark = (): boolean => window.matchMedia(QUERY).matches

/** The OS colour scheme, following its changes. */
export function useColorScheme(): 'light' | 'dark' {
  return useSyncExternalStore(subscribe, isDark) ? 'dark' : 'light'
}
