import js from '@eslint/js'
import boundaries from 'eslint-plugin-boundaries'
import tseslint from 'typescript-eslint'

// The layers of DESIGN.md, enforced here rather than by memory (test/layers.test.ts proves each
// rule bites). Each folder is one element type, so that a generic helper living in a domain folder
// shows up as a wrong import; the first pattern that matches wins.
const MAIN_FOLDERS = [
  'base',
  'log',
  'supervise',
  'settings',
  'kafka',
  'postgres',
  'pipeline',
  'kpi',
  'alerts',
  'export',
]
const elements = [
  { type: 'shared', pattern: 'src/shared' },
  { type: 'renderer', pattern: 'src/renderer' },
  { type: 'preload', pattern: 'src/preload' },
  // the Electron shell: the only part of main that may import electron
  { type: 'shell', pattern: 'src/main/shell' },
  // browser mode, one of the faces
  { type: 'server', pattern: 'src/main/server' },
  // the handlers every face calls
  { type: 'api', pattern: 'src/main/api' },
  ...MAIN_FOLDERS.map((type) => ({ type, pattern: `src/main/${type}` })),
  // the files beside them (the faces, config.ts, services.ts; see FILE_LAYERS), and any folder
  // that has no element yet: give it one before it grows
  { type: 'main', pattern: 'src/main' },
].map((e) => ({ partialMatch: false, ...e }))

// Elements are folders; the files at the top of src/main are layers of their own, told apart by
// file category.
const FILE_LAYERS = {
  // the command-line faces
  faces: 'src/main/{cli,serve,face,export-cli}.ts',
  // the settings: flags, environment and file, resolved and checked
  config: 'src/main/config.ts',
  // the composition root: builds the broker, PostgreSQL and their supervisors, and each run's pipeline
  services: 'src/main/services.ts',
}
const files = [
  ...Object.entries(FILE_LAYERS).map(([category, pattern]) => ({ category, pattern })),
  { category: 'test', pattern: '**/*.test.ts' },
  // every file gets one, so that "none of these categories" can match a file with no other
  { category: 'source', pattern: 'src/**' },
]

// Who may import whom: as tight as the code of today allows, so that a new edge is a decision.
// Data flows down: a face, the handlers (api), the composition root and config, the domains, then
// log and base. base (generic helpers) imports nothing of ours, and it and log are open to every
// layer of main; shared only where it is used.
const mayImport = {
  shared: [],
  renderer: ['shared'],
  preload: ['shared'],
  base: [],
  log: ['base'],
  supervise: ['base', 'log', 'shared'],
  kafka: ['base', 'log', 'supervise'],
  // kafka: retention measures the broker's log dirs for the disk budget (kafka/broker/paths.ts).
  // config: retention reads its settings' type. Both point up or sideways; moving the dirs and
  // the retention settings down is a bigger change than this rule.
  postgres: ['base', 'log', 'supervise', 'kafka', 'config', 'shared'],
  pipeline: ['base', 'log', 'kafka', 'postgres', 'shared'],
  kpi: ['base', 'log', 'shared'],
  alerts: ['base', 'log', 'shared'],
  export: ['base', 'log', 'kpi', 'postgres', 'shared'],
  // config: the settings file's schema is derived from config's (settings/schema.ts), so the store
  // sits below config in name only. Splitting the schemas out of config.ts would end it.
  // shared: the stored run to resume is the contract's Start request, and notificationsOff its rules.
  settings: ['base', 'log', 'kafka', 'config', 'shared'],
  // pipeline: the roles (pipeline/role.ts) are settings too; kafka: the connection's schema.
  config: ['base', 'log', 'kafka', 'pipeline', 'shared'],
  // pipeline: each run's pipeline is built on the services here (createPipeline), the same way
  // for every face, test and bench phase; shared: the status types that describe the services.
  services: ['base', 'log', 'supervise', 'kafka', 'postgres', 'pipeline', 'config', 'shared'],
  api: [
    ...['base', 'log', 'settings', 'kafka', 'postgres', 'pipeline', 'kpi', 'alerts', 'export'],
    ...['config', 'services', 'shared'],
  ],
  server: ['faces', 'api', 'export', 'base', 'log', 'shared'],
  faces: [
    ...['server', 'api', 'base', 'log', 'settings', 'postgres', 'pipeline', 'alerts', 'export'],
    ...['config', 'services', 'shared'],
  ],
  shell: ['api', 'base', 'log', 'settings', 'config', 'services', 'shared'],
  main: ['base', 'log', 'shared'],
}
const MAIN_ELEMENTS = ['shell', 'server', 'api', ...MAIN_FOLDERS, 'main']

/** The selector of one layer: an element, or a file category within the files of main. */
function layer(name) {
  if (name in FILE_LAYERS) return { element: { type: 'main' }, file: { categories: name } }
  if (name === 'main')
    return { element: { type: 'main' }, file: { categories: { noneOf: Object.keys(FILE_LAYERS) } } }
  return { element: { type: name } }
}

// The last policy that matches an import decides; an import that none matches is refused.
const policies = [
  // Packages and Node's modules are open to all, except as the last two policies say.
  { allow: { to: { module: { origin: ['external', 'core'] } } } },
  ...Object.entries(mayImport).map(([name, targets]) => ({
    from: layer(name),
    allow: { to: [name, ...targets].map(layer) },
  })),
  {
    // A test of main sets up what it tests with the real services beside it (no stand-ins).
    from: { element: { types: { anyOf: MAIN_ELEMENTS } }, file: { categories: 'test' } },
    allow: { to: { element: { types: { anyOf: MAIN_ELEMENTS } } } },
  },
  {
    from: { element: { types: { noneOf: ['server'] } }, file: { categories: { noneOf: ['faces'] } } },
    disallow: { to: { file: { categories: 'faces' } } },
    message: 'Only a face imports a face (cli.ts, serve.ts, face.ts, export-cli.ts, server/).',
  },
  {
    from: { element: { types: { noneOf: ['shell', 'preload'] } } },
    disallow: { to: { module: { source: 'electron' } } },
    message: 'Only the Electron shell (src/main/shell) and the preload import electron.',
  },
  {
    // Tests run under Node; the code they test must not.
    from: {
      element: { types: { anyOf: ['renderer', 'shared'] } },
      file: { categories: { noneOf: ['test'] } },
    },
    disallow: { to: { module: { origin: 'core' } } },
    message: 'The renderer runs in a browser (and shared code runs there too): no Node modules.',
  },
]

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain-Node scripts that run before anything is built (postinstall, the test preflight).
    files: ['scripts/**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      // typescript: the renderer's @renderer and @shared aliases (tsconfig.web.json) resolve to
      // their files from anywhere, so the layer rules see them; node's resolver alone would call
      // them packages, which every layer may import.
      'import/resolver': {
        typescript: { project: 'tsconfig.web.json' },
        node: { extensions: ['.ts', '.tsx', '.js', '.json'] },
      },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkAllOrigins: true,
          // within src/main (one element) too: a service must not import a face file beside it
          checkInternals: true,
          message: 'A {{from.element.type}} may not import a {{to.element.type}} (see DESIGN.md, Layers).',
          policies,
        },
      ],
    },
  },
)
