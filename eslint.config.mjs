// Type-aware lint for the whole project, and the layer rules of README "Layout" (who may import what).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const TESTS = ['**/*.test.ts', '**/*.test.tsx'];

/** Import patterns for the project folders given, by alias or relative path. */
function folders(names, message) {
  return [{ regex: `^(@/|(\\.\\./)+)(${names.join('|')})(/|$)`, message }];
}

/** Import patterns for every project folder except the ones given (packages stay allowed). */
function outsideOf(allowed, message) {
  return folders(['server', 'app', 'bin', 'lab', 'e2e', 'bench', 'deploy'].filter((f) => !allowed.includes(f)), message);
}

/** Node and package modules that do I/O. */
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'dgram', 'http', 'https', 'tls', 'worker_threads']
  .flatMap((m) => [m, `node:${m}`])
  .concat(['ssh2', 'better-sqlite3']);

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      'next-env.d.ts',
      'lab/.state/**',
      'bench/.work/**',
      'test-results/**',
      'playwright-report/**',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through server/config: process.env is read in one place only, so every setting is validated and documented there.',
        },
      ],
    },
  },
  {
    // The places allowed to read the environment: configuration loading, the lab, tests and their
    // helpers, benches, CLI.
    files: ['server/config/**', 'lab/**', 'e2e/**', 'bench/**', 'bin/**', '**/*.test.ts', 'lib/testing/**', 'server/testing/**', 'playwright.config.ts', 'vitest.config.ts', 'instrumentation.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Layers (README "Layout"). Tests may reach across (fixtures, harnesses); production code may not.
  {
    files: ['components/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: [...outsideOf(['lib', 'components'], 'components/ imports lib/ only (and other components)')] }] },
  },
  {
    files: ['lib/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: folders(['server', 'app', 'components', 'bin'], 'lib/ is shared by browser, server and CLI: it imports nothing of server/, app/, components/ or bin/') }] },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(@/|(\\.\\./)+)server/(?!api/)', message: 'app/ reaches server/ only through its entry points in server/api/ (add one there)' },
            ...folders(['bin'], 'app/ does not import the CLI'),
          ],
        },
      ],
    },
  },
  {
    files: ['server/parsers/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({ name, message: 'parsers are pure: text in, models out; the caller does the I/O' })),
          patterns: [
            { regex: '^(@/|(\\.\\./)+)server/(?!parsers/)', message: 'parsers are pure: they import lib/ and other parsers only, no server I/O modules' },
            { regex: '^\\.\\./', message: 'parsers are pure: they import lib/ and other parsers only, no server I/O modules' },
            ...folders(['app', 'components', 'bin'], 'parsers import lib/ and other parsers only'),
          ],
        },
      ],
    },
  },
);
