import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

/** The pure domain's folders (the purity rules below apply to each). */
const PURE = ['lib/domain/**', 'lib/accounts/domain/**', 'lib/standing-orders/domain/**'];

/** Outside lib/event-store, the engine is reached through its index only. */
const ENGINE_FACE = {
  group: [
    '@/lib/event-store/*',
    '**/event-store/*',
    '!**/event-store/index',
    '!**/event-store/index.ts',
    '!**/event-store/storage',
    '!**/event-store/storage.ts',
  ],
  message:
    'Import the engine from @/lib/event-store (its index.ts), never a file inside it (outside Next.js, the row forms from @/lib/event-store/storage).',
};

// Product code (lib/, app/, scripts/) never imports the test tree: what `npm run cluster` or a
// route needs lives in the product. Tests beside the code (*.test.ts) may use the test helpers.
// A later no-restricted-imports rule for the same files replaces an earlier one, so every rule below
// that covers product files carries the patterns of the ones before it.
const noTestImports = {
  // The project's test/ by alias or by relative path (not packages such as @playwright/test).
  regex: '^(@/test|(\\.\\.?/)+test)(/|$)',
  message: 'Product code must not import the test tree (test/): move what it needs into lib/ or scripts/.',
};
const testFiles = ['**/*.test.ts', '**/*.test.tsx'];
const engineKnowsNoModule = {
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
};

// One way to make a process-wide value (lib/singleton.ts) and one way to read configuration
// (loadConfig in lib/config.ts): the raw forms are refused in lib/ and app/.
const noGlobalThis = {
  selector: "Identifier[name='globalThis']",
  message:
    'A process-wide value goes through singleton(name, make) from lib/singleton.ts, not a hand-cast globalThis slot.',
};

const noProcessEnv = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message:
    'Read configuration through loadConfig() from lib/config.ts (validated, described); add the variable to its schema.',
};

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
    // The engine has one face: lib/event-store/index.ts. Everything else in the folder is its own
    // business, free to change without touching a module, a page or a script.
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    ignores: ['lib/event-store/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ENGINE_FACE] }],
    },
  },
  {
    files: ['lib/**', 'app/**', 'scripts/**'],
    ignores: [...testFiles, 'lib/event-store/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ENGINE_FACE, noTestImports] }] },
  },
  {
    // The domain core is pure: no database, framework, UI or Node I/O. Two folders hold it: the
    // shared values (lib/domain: money, masked names) and the account decider (lib/accounts/domain),
    // which lives with its module. A pure file imports only pure files.
    files: PURE,
    ignores: PURE.map((folder) => `${folder}/*.test.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'net', 'http', 'https'],
              message: 'The domain is pure: no Node I/O.',
            },
            {
              group: [
                '@prisma/*',
                '**/generated/**',
                'pg',
                'next',
                'next/*',
                'react',
                'react-dom',
                'server-only',
                '@/lib/db/*',
                '@/app/*',
              ],
              message: 'The domain is pure: no Prisma, Next, React or database code.',
            },
            {
              regex: '^(@/(?!lib/domain/|lib/accounts/domain/|lib/standing-orders/domain/)|\\.\\./)',
              message:
                "The domain is pure: it imports only lib/domain and the modules' domain folders (the engine and the modules do I/O).",
            },
            noTestImports,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time arrives on the command (metadata.now).' },
        { name: 'crypto', message: 'Ids arrive on the command.' },
        { name: 'fetch', message: 'The domain does no I/O.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'decide/evolve are deterministic.' },
      ],
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
              message:
                'Use submitTransfer (lib/accounts/submit-transfer.ts): it enforces IDEM_INBOUND_TRANSFERS_PER_HOUR.',
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
    rules: { 'no-restricted-imports': ['error', { patterns: [engineKnowsNoModule] }] },
  },
  {
    files: ['lib/event-store/**'],
    ignores: testFiles,
    rules: { 'no-restricted-imports': ['error', { patterns: [engineKnowsNoModule, noTestImports] }] },
  },
  {
    files: ['lib/**/*.ts', 'lib/**/*.tsx', 'app/**/*.ts', 'app/**/*.tsx'],
    rules: { 'no-restricted-syntax': ['error', noGlobalThis, noProcessEnv] },
  },
  {
    // lib/config.ts is where the environment is read. Tests arrange the environment they run in.
    // lib/cluster/ starts processes (PostgreSQL, next start, HAProxy) for `npm run cluster` and the
    // cluster tests: it hands them the environment it was given, as scripts/ does.
    files: ['lib/config.ts', 'lib/**/*.test.ts', 'app/**/*.test.ts', 'lib/cluster/**'],
    rules: { 'no-restricted-syntax': ['error', noGlobalThis] },
  },
]);
