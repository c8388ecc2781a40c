// The lint gate (`npm run lint`, run by `npm test` before any suite): type-aware typescript-eslint rules
// that catch lost promises and dead names, plus the import layering the README and ARCHITECTURE describe.
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

// agent/src/core is the pure core: no LiveKit, no vendor SDK, no node: module, no other agent folder.
const coreImports = {
  patterns: [
    { group: ['node:*'], message: 'agent/src/core is pure: no node: modules (inject what it needs).' },
    {
      group: ['@livekit/*', 'livekit-*', '@deepgram/*', 'groq-sdk', 'pino', 'ws', 'koffi', 'twilio', 'yaml', 'zod'],
      message: 'agent/src/core is pure: no LiveKit or vendor imports (adapters live outside core/).',
    },
    {
      regex: '^\\.\\./(\\.\\./)*(call|engines|phone|records|worker|config|main)(/|\\.ts$|$)',
      message: 'agent/src/core imports nothing from other agent folders (ARCHITECTURE.md).',
    },
    {
      regex: '^\\.\\./(\\.\\./)*knowledge/',
      allowTypeImports: true,
      message: 'agent/src/core takes only types from knowledge/schema.ts (ARCHITECTURE.md).',
    },
  ],
};

// web/, sip/ and the contracts never reach into the agent's source: shared types come from @voxanne/contracts.
const noAgentSource = {
  patterns: [
    {
      regex: '(^|/)agent/src(/|$)',
      message: 'web/ and sip/ never import agent/src; share types through @voxanne/contracts.',
    },
  ],
};

// Lines stay within Prettier's 120 columns: Prettier breaks code but not comments, strings or template literals.
// A URL or a regular expression literal may run longer (splitting either would only hide what it says).
const maxLen = ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.cache/**', '.data/**', 'test-artifacts/**', 'bench/results/**'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: ['./tsconfig.json', './web/tsconfig.json'], tsconfigRootDir: root },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-len': maxLen,
      '@typescript-eslint/no-floating-promises': 'error',
      'no-restricted-imports': [
        'error',
        { name: 'node:test', message: "The suites run on vitest: import { test, describe, ... } from 'vitest'." },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'max-len': maxLen,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // ARCHITECTURE.md's table applies to non-test files: a test may import what it needs to drive its subject
  {
    files: ['agent/src/core/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', coreImports] },
  },
  {
    files: ['agent/src/engines/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+call/', message: 'engines/ never imports call/ (ARCHITECTURE.md).' }] },
      ],
    },
  },
  {
    files: ['web/**/*.ts', 'sip/**/*.ts', 'contracts/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', noAgentSource] },
  },
);
