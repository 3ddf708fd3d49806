import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'
import type { Plugin } from 'vite'
import { themeCss } from './src/renderer/src/theme/colors.ts'

/**
 * The renderer's import aliases (tsconfig.web.json's paths), also used by vitest. Main and the
 * preload keep relative imports: tsx, which runs the CLIs from source, would not resolve these.
 */
export const aliases = {
  '@renderer': resolve('src/renderer/src'),
  '@shared': resolve('src/shared'),
}

/**
 * `virtual:theme.css`: the page's CSS variables, generated from theme/colors.ts, the table the
 * charts' colours come from too. Built into the stylesheet, so the first paint has them.
 */
function themeCssPlugin(): Plugin {
  const id = 'virtual:theme.css'
  const resolved = `\0${id}`
  return {
    name: 'tickflow-theme-css',
    resolveId: (source) => (source === id ? resolved : undefined),
    load: (loaded) => (loaded === resolved ? themeCss() : undefined),
  }
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // Three entries: the Electron shell, the consumer's worker thread, and the pipeline CLI
        // (`node out/main/cli.js`, no tsx).
        input: {
          index: resolve('src/main/shell/index.ts'),
          'consumer-worker': resolve('src/main/pipeline/consumer/consumer-worker.ts'),
          cli: resolve('src/main/cli.ts'),
        },
        // Shared chunks sit beside the entries, not in chunks/: consumer-thread.ts finds
        // consumer-worker.js beside its own module, wherever the bundler put that module.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    // A sandboxed preload cannot require anything but electron: bundle it whole, as CommonJS.
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    resolve: { alias: aliases },
    // Minified: browser mode serves it over the network (2.2 MB → about a third).
    build: {
      minify: true,
      // ECharts and React in one chunk: about 950 kB minified, loaded once from disk or loopback.
      chunkSizeWarningLimit: 1200,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react(), themeCssPlugin()],
  },
})
