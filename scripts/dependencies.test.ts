import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// One Prisma release across the packages that talk to each other at run time and
// in tests, and a released schema engine build (not a feature branch's prerelease).

type Lock = { packages: Record<string, { version: string }> };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
const declared = { ...pkg.dependencies, ...pkg.devDependencies };
const installed = (name: string) => lock.packages[`node_modules/${name}`]?.version;

const ONE_RELEASE = [
  'prisma',
  '@prisma/client',
  '@prisma/adapter-pg',
  '@prisma/driver-adapter-utils',
  '@prisma/instrumentation',
  '@prisma/engines',
];

describe('Prisma packages', () => {
  it('are one version, in package.json and in the lockfile', () => {
    const versions = Object.fromEntries(ONE_RELEASE.map((name) => [name, installed(name)]));
    expect(new Set(Object.values(versions)), JSON.stringify(versions)).toHaveProperty('size', 1);
    for (const name of ONE_RELEASE.filter((n) => declared[n]))
      expect({ name, declared: declared[name] }).toEqual({ name, declared: versions.prisma });
  });

  it('the WebAssembly schema engine is the build that release ships (@prisma/engines-version), not a branch prerelease', () => {
    const wasm = declared['@prisma/schema-engine-wasm'];
    expect(wasm).toBe(installed('@prisma/schema-engine-wasm'));
    expect(wasm).toBe(installed('@prisma/engines-version'));
    expect(wasm).toMatch(/^\d+\.\d+\.\d+-\d+\.[0-9a-f]{40}$/);
  });
});
