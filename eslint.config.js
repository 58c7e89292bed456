import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**', 'src/wasm/*.generated.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The isomorphic layers must run in a browser or a worker: no node: imports there.
    files: [
      'src/data/**/*.ts',
      'src/engine/**/*.ts',
      'src/techniques/**/*.ts',
      'src/search/**/*.ts',
      'src/evaluate/**/*.ts',
      'src/automl/**/*.ts',
      'src/export/**/*.ts',
      'src/wasm/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'],
              message: 'isomorphic layer: no node imports',
            },
          ],
        },
      ],
    },
  },
);
