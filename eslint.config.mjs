// Type-aware lint for the whole project (habit 10 of shared conventions).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

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
          message: 'Read configuration through server/config (habit 7); process.env is read in one place only.',
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
);
