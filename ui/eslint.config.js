// The webview's linter (`npm run lint`): ESLint's and typescript-eslint's recommended rules
// (with type information, from tsconfig.json) and eslint-plugin-svelte's, for the app in src/,
// its tests in test/ and the build's config files.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript-eslint';

export default defineConfig(
  // Build outputs, and the bindings `scripts/bindings` generates from the Rust types.
  globalIgnores(['dist/', 'dist.next/', 'test-dist/', 'test-output/', 'node_modules/', 'src/bindings.ts']),

  js.configs.recommended,
  ts.configs.recommendedTypeChecked,
  svelte.configs['flat/recommended'],

  {
    languageOptions: {
      parserOptions: {
        // The TypeScript project of tsconfig.json, .svelte files included; the same options
        // for .ts and .svelte files, so that the project is not loaded twice.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
  },

  {
    rules: {
      // `const { [key]: _gone, ...rest } = record` is how the state drops a key without
      // mutating it: the named sibling of a rest element is not an unused variable.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },

  // Components and rune modules: svelte-eslint-parser, with TypeScript's parser for <script lang="ts">.
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser },
    },
  },

  // Runs in the webview (or in Chromium, for the screens' harness).
  {
    files: ['src/**', 'test/harness.ts', 'test/fake.ts', 'test/fixtures.ts'],
    languageOptions: { globals: globals.browser },
  },

  // Runs in Node: Vitest's unit tests (environment `node`).
  {
    files: ['test/unit/**'],
    languageOptions: { globals: globals.node },
  },

  // The tests' mocked IPC rejects the way Tauri does, with the core's AppError as a plain
  // value: the bindings' `typedError` passes a thrown Error on as a crash, not as an AppError.
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/only-throw-error': 'off' },
  },

  // Runs in Node, outside tsconfig.json (no type information): the screens' test runner
  // (its `page.evaluate` callbacks run in Chromium, so both sets of globals) and the config files.
  {
    files: ['test/screens.test.mjs', '*.config.js', '*.config.ts'],
    extends: [ts.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/screens.test.mjs'],
    languageOptions: { globals: globals.browser },
  },
);
