// Type-aware linting for the library, its tests, benchmarks and examples, and the layer rules of
// src/ (README, "How it is built"): each layer imports only the layers below it, and no module
// reaches itself again through its imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** What each folder of src/ may not import, and why: the layers, from the ground up. */
export const LAYERS = [
  { target: './src/errors.ts', from: ['./src/codec', './src/json', './src/protocol', './src/workflow', './src/app', './src/worker', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "errors is the ground": src/errors.ts imports nothing from src/.' },
  { target: './src/codec', from: ['./src/json', './src/protocol', './src/workflow', './src/app', './src/worker', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "codec stands alone": src/codec/ imports only src/errors.ts.' },
  { target: './src/json', from: ['./src/protocol', './src/workflow', './src/app', './src/worker', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "json sits on codec": src/json/ imports only src/codec/ and src/errors.ts.' },
  { target: './src/protocol', from: ['./src/json', './src/workflow', './src/app', './src/worker', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "protocol sits on codec": src/protocol/ imports only src/codec/ and src/errors.ts.' },
  { target: './src/workflow', from: ['./src/codec', './src/json', './src/app', './src/worker', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "workflows are data": src/workflow/ imports only src/protocol/ (for task types) and src/errors.ts.' },
  { target: './src/worker', from: ['./src/json', './src/workflow', './src/app', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "the worker never imports the pool": src/worker/ imports only src/protocol/, src/codec/ and src/errors.ts.' },
  { target: './src/app', from: ['./src/worker', './src/queue', './src/cli', './src/index.ts'], message: 'layer rule "the app never imports the worker or the queue": src/app/ imports src/json/, src/protocol/, src/codec/ and src/errors.ts; it names the worker only by URL.' },
  { target: './src/queue', from: ['./src/worker', './src/cli', './src/index.ts'], message: 'layer rule "the queue builds on the app": src/queue/ imports src/app/ and the layers below it, never the worker, the CLI or the public list.' },
  { target: './src/cli', from: './src/queue', except: ['./index.ts'], message: 'layer rule "the CLI uses the public API": src/cli/ imports src/index.ts and src/queue/index.ts, nothing deeper.' },
  { target: './src/cli', from: ['./src/errors.ts', './src/codec', './src/json', './src/protocol', './src/workflow', './src/app', './src/worker'], message: 'layer rule "the CLI uses the public API": src/cli/ imports src/index.ts, nothing deeper.' },
];

/** The layer rules alone (the tests lint wrong-way imports with it). */
export const layerConfig = {
  files: ['src/**/*.ts'],
  plugins: { 'import-x': importX },
  settings: {
    'import-x/extensions': ['.ts', '.js'],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.build.json' })],
  },
  rules: {
    'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: LAYERS }],
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'examples/bundle/out/**', 'bench/results/**', 'test/fixtures/ts-source/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.build.json', './tsconfig.json', './examples/typescript/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unified-signatures': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  layerConfig,
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
