// Prisma 7's CLI downloads a schema-engine binary before `generate`, even though generating the
// TypeScript client never uses it. Offline that download fails, so we point the CLI at a stub.
// See docs/decisions/002-prisma-without-its-binary-engine.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('prisma/schema.prisma')) process.exit(0);
const result = spawnSync('npx', ['prisma', 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true' },
});
process.exit(result.status ?? 1);
