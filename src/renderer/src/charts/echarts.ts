import { BarChart, CandlestickChart, FunnelChart, LineChart, PieChart } from 'echarts/charts'
import {
  AxisPointerComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components'
import { registerTheme, use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { echartsTheme, echartsThemeName } from '../theme/echarts-theme'
import { SCHEMES } from '../theme/colors'

/**
 * The one module that loads ECharts: the core plus only the charts and components the views use,
 * which keeps the bundle small (DESIGN.md). A view that needs another chart type or component
 * registers it here; the option builders import types only.
 */
use([
  BarChart,
  CandlestickChart,
  FunnelChart,
  LineChart,
  PieChart,
  AxisPointerComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
])
// One theme per OS scheme, from the table the CSS variables come from too (theme/colors.ts).
for (const scheme of SCHEMES) registerTheme(echartsThemeName(scheme), echartsTheme(scheme))

export { init } from 'echarts/core'
export type { EChartsCoreOption, EChartsType, SetOptionOpts } from 'echarts/core'
