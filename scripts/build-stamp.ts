// Whether the production build in .next is the build of the sources as they are now: a content hash
// of everything `next build` reads (app, lib, public, configs, the lockfile), stored next to the build.
// `npm start` rebuilds only when it differs, so a restart takes seconds.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INPUTS = [
  'app',
  'lib',
  'public',
  'instrumentation.ts',
  'next.config.ts',
  'tsconfig.json',
  'postcss.config.mjs',
  'package-lock.json',
  'prisma/schema.prisma',
];
const SKIP = new Set(['node_modules', '.next', 'generated']);
const STAMP = path.join('.next', 'idem-sources.sha256');

function files(root: string, entry: string): string[] {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full)
    .filter((name) => !SKIP.has(name))
    .sort()
    .flatMap((name) => files(root, path.join(entry, name)));
}

/** sha256 over the paths and contents of every build input, in a fixed order. */
export function sourcesHash(root = process.cwd()): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((entry) => files(root, entry))) {
    if (file.endsWith('.test.ts')) continue; // tests are not part of the build
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** True when .next holds a complete build of exactly these sources. */
export function buildIsCurrent(root = process.cwd()): boolean {
  const stamp = path.join(root, STAMP);
  return (
    existsSync(path.join(root, '.next', 'BUILD_ID')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === sourcesHash(root)
  );
}

export function recordBuild(root = process.cwd()): void {
  writeFileSync(path.join(root, STAMP), `${sourcesHash(root)}\n`);
}
