/**
 * The one table of colours: the page's CSS variables (ui, generated into CSS at build time by
 * electron.vite.config.ts) and the charts' colours (chart, used by the option builders and the
 * ECharts theme). Light and dark follow the OS (prefers-color-scheme).
 */

export type Scheme = 'light' | 'dark'
export const SCHEMES: readonly Scheme[] = ['light', 'dark']

/** The page's colours, keyed by CSS variable name (`--bg`, …), as main.css uses them. */
export interface UiColors {
  bg: string
  surface: string
  'surface-2': string
  border: string
  text: string
  muted: string
  accent: string
  'accent-text': string
  ok: string
  warn: string
  'warn-bg': string
  error: string
  'error-bg': string
  danger: string
  'danger-text': string
  shadow: string
}

/** The charts' colours. */
export interface ThemeColors {
  text: string
  muted: string
  axisLine: string
  splitLine: string
  tooltipBg: string
  tooltipBorder: string
  /** data loss, tail latency */
  warning: string
  /** series that belong to no symbol (totals, lag, windows without loss) */
  neutral: string
  neutralStrong: string
}

export const COLORS: Record<Scheme, { ui: UiColors; chart: ThemeColors }> = {
  light: {
    ui: {
      bg: '#f4f5f7',
      surface: '#ffffff',
      'surface-2': '#eef0f3',
      border: '#d8dbe0',
      text: '#1f2328',
      muted: '#6b7280',
      accent: '#3871dc',
      'accent-text': '#ffffff',
      ok: '#1a7f37',
      warn: '#b7791f',
      'warn-bg': '#fff4d6',
      error: '#c9252d',
      'error-bg': '#fde8e8',
      danger: '#c9252d',
      'danger-text': '#ffffff',
      shadow: '0 4px 16px rgb(0 0 0 / 0.12)',
    },
    chart: {
      text: '#24292f',
      muted: '#6e7079',
      axisLine: '#c8cad0',
      splitLine: '#ebedf0',
      tooltipBg: '#ffffff',
      tooltipBorder: '#d0d3d8',
      warning: '#e0572a',
      neutral: '#9aa5b1',
      neutralStrong: '#4b5563',
    },
  },
  dark: {
    ui: {
      bg: '#111217',
      surface: '#181b1f',
      'surface-2': '#22252b',
      border: '#2c3036',
      text: '#d8d9da',
      muted: '#8e939b',
      accent: '#5794f2',
      'accent-text': '#0b0c0e',
      ok: '#73bf69',
      warn: '#f2cc0c',
      'warn-bg': '#3d3410',
      error: '#f2495c',
      'error-bg': '#3b1a1e',
      danger: '#e0464e',
      'danger-text': '#ffffff',
      shadow: '0 4px 16px rgb(0 0 0 / 0.5)',
    },
    chart: {
      text: '#d8d9da',
      muted: '#9fa7b3',
      axisLine: '#464c54',
      splitLine: '#2c3235',
      tooltipBg: '#1f2328',
      tooltipBorder: '#3d434b',
      warning: '#f0683a',
      neutral: '#6c7a89',
      neutralStrong: '#c7ccd3',
    },
  },
}

export function themeColors(scheme: Scheme): ThemeColors {
  return COLORS[scheme].chart
}

/** The CSS variables of both schemes: light on :root, dark when the OS asks for it. */
export function themeCss(): string {
  const vars = (ui: UiColors): string =>
    Object.entries(ui)
      .map(([name, value]) => `  --${name}: ${value};`)
      .join('\n')
  return [
    `:root {\n${vars(COLORS.light.ui)}\n}`,
    `@media (prefers-color-scheme: dark) {\n:root {\n${vars(COLORS.dark.ui)}\n}\n}`,
  ].join('\n')
}
