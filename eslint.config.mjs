import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    'lib/generated/**',
    'node_modules/**',
    '.data/**',
    'reports/**',
    'test-results/**',
    'playwright-report/**',
    'next-env.d.ts',
    '.scratch-*/**',
  ]),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Type-aware: an un-awaited promise in a command path is a lost write or an unhandled failure.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // The domain core is pure: no database, framework, UI or Node I/O.
    files: ['lib/domain/**'],
    ignores: ['lib/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'net', 'http', 'https'], message: 'lib/domain is pure: no Node I/O.' },
            {
              group: ['@prisma/*', '**/generated/**', 'pg', 'next', 'next/*', 'react', 'react-dom', 'server-only', '@/lib/db/*', '@/app/*'],
              message: 'lib/domain is pure: no Prisma, Next, React or database code.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time arrives on the command (metadata.now).' },
        { name: 'crypto', message: 'Ids arrive on the command.' },
        { name: 'fetch', message: 'lib/domain does no I/O.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'decide/evolve are deterministic.' }],
    },
  },
  {
    // A customer's transfer goes through submitTransfer, which holds the per-sender inbound limit.
    files: ['app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@/lib/accounts/transfer-command',
              importNames: ['handleTransfer'],
              message: 'Use submitTransfer (lib/accounts/submit-transfer.ts): it enforces IDEM_INBOUND_TRANSFERS_PER_HOUR.',
            },
          ],
        },
      ],
    },
  },
  {
    // The exactly-once engine knows streams, events, commands, snapshots and the inline projections a
    // command spec declares; it knows no domain. Modules depend on it, never the reverse.
    files: ['lib/event-store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@/lib/accounts',
                '@/lib/accounts/*',
                '@/lib/domain/*',
                '@/lib/projections/*',
                '@/lib/admin/*',
                '@/lib/http/*',
                '@/lib/auth/*',
                '@/app/*',
                '**/accounts/**',
                '**/domain/**',
              ],
              message: 'lib/event-store is the generic engine: it must not know the account module (or any other).',
            },
          ],
        },
      ],
    },
  },
]);
