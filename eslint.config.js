// ESLint (flat config): `npm run lint` runs it with --max-warnings 0, then `prettier --check`.
// Mainstream rule sets only: @eslint/js and typescript-eslint recommended (not the type-checked
// presets, which need a full program and are slow on two cores), eslint-plugin-lit and
// eslint-plugin-wc recommended for the element, eslint-config-prettier last so no rule here
// fights Prettier over formatting. Globals follow where code runs: the browser for the element,
// the browser tests and the demo pages; Node for the servers, scripts, benchmarks, Node tests
// and config files. TypeScript files need no globals list: typescript-eslint turns off no-undef
// for them (the compiler checks names), so the globals matter for the .js/.mjs files.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '.cache/',
    'coverage/',
    'docs/',
    'custom-elements.json',
    // Written by `npm run bench`, not by hand.
    'bench/results.json',
  ]),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter or binding kept on purpose (a callback's position, a
      // destructured field left out of a rest object); the compiler's noUnused* agree.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['src/**/*.ts'],
    ...wc.configs['flat/recommended'],
  },
  {
    // The element and what runs beside it in the test page (test/support/*.mjs are the runner's plugins: Node).
    files: [
      'src/**',
      'test/browser/**',
      'test/e2e/*.ts',
      'test/e2e/clients/**',
      'test/fakes/**',
      'test/support/*.ts',
      'test/types/**',
      'test/not-applicable.ts',
    ],
    languageOptions: { globals: globals.browser },
  },
  {
    // Pages' own scripts: the demo, the CSP fixture page, the benchmark's instrumentation.
    files: ['demo/**', 'test/fixtures/**', 'bench/pages/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: [
      'server/**',
      'emulator/**',
      'scripts/**',
      'bench/**',
      'test/node/**',
      'test/e2e/support/**',
      'test/support/*.mjs',
      '*.{js,mjs,cjs,ts}',
    ],
    ignores: ['bench/pages/**'],
    languageOptions: { globals: globals.node },
  },
  prettier,
);
