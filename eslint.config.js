import js from '@eslint/js'
import boundaries from 'eslint-plugin-boundaries'
import tseslint from 'typescript-eslint'

// The layers of DESIGN.md, enforced here rather than by memory (test/layers.test.ts proves each
// rule bites). Each folder under src/ is one element type; the first pattern that matches wins.
const elements = [
  { type: 'shared', pattern: 'src/shared' },
  { type: 'renderer', pattern: 'src/renderer' },
  { type: 'preload', pattern: 'src/preload' },
  // the Electron shell: the only part of main that may import electron
  { type: 'shell', pattern: 'src/main/shell' },
  // browser mode, one of the faces (the others are files: see FACE below)
  { type: 'faces', pattern: 'src/main/server' },
  // the handlers every face calls
  { type: 'api', pattern: 'src/main/api' },
  // the rest of main: pipeline, kafka, postgres, kpi, export, alerts, supervise, settings, config, …
  { type: 'services', pattern: 'src/main' },
].map((e) => ({ partialMatch: false, ...e }))

// The command-line faces are files beside the services (elements are folders): a file category.
const FACE = 'face'
const files = [
  { category: FACE, pattern: 'src/main/{cli,serve,face,export-cli}.ts' },
  { category: 'test', pattern: '**/*.test.ts' },
  // every file gets one, so that "none of these categories" can match a file with no other
  { category: 'source', pattern: 'src/**' },
]

// Who may import whom: data flows down from a face to the handlers, the services and shared.
const mayImport = {
  shared: [],
  renderer: ['shared'],
  preload: ['shared'],
  shell: ['api', 'services', 'shared'],
  faces: ['api', 'services', 'shared'],
  api: ['services', 'shared'],
  services: ['shared'],
}

// The last policy that matches an import decides; an import that none matches is refused.
const policies = [
  // Packages and Node's modules are open to all, except as the last two policies say.
  { allow: { to: { module: { origin: ['external', 'core'] } } } },
  ...Object.entries(mayImport).map(([type, targets]) => ({
    from: { element: { type } },
    allow: { to: { element: { types: { anyOf: [type, ...targets] } } } },
  })),
  {
    from: { file: { categories: FACE } },
    allow: { to: { element: { types: { anyOf: ['faces', ...mayImport.faces] } } } },
  },
  {
    from: { element: { types: { noneOf: ['faces'] } }, file: { categories: { noneOf: [FACE] } } },
    disallow: { to: { file: { categories: FACE } } },
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
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.json'] } },
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
