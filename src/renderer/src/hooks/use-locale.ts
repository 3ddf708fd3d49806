/** Numbers and dates follow the browser's language. */
export function useLocale(): string {
  return typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US'
}
