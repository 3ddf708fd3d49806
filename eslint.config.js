import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// The layers of DESIGN.md, enforced here rather than by memory. Each entry forbids what a
// folder must not import; relative paths are matched by the folder names they reach into.
const electron = { name: 'electron', message: 'Only the Electron shell (src/main/{index,ipc,window}.ts) and the preload import electron.' }
const upward = (dirs) => dirs.map((d) => ({ group: [`**/${d}/**`, `**/${d}`], message: `This layer must not import from ${d}.` }))

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
    // Everything in main except the thin shell runs under plain Node.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/ipc.ts', 'src/main/window.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electron], patterns: upward(['renderer', 'preload']) }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electron], patterns: upward(['main', 'renderer', 'preload']) }],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: upward(['main', 'renderer']) }] },
  },
  {
    // The renderer sees only shared; data arrives through the api object.
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [...upward(['main', 'preload']), { group: ['node:*'], message: 'The renderer runs in a browser.' }],
        },
      ],
    },
  },
)
