import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIsCurrent, recordBuild, sourcesHash } from './build-stamp';

let root: string;
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('reusing the production build', () => {
  it('is current after a build of the same sources, and stale after any source or lockfile change', () => {
    root = mkdtempSync(path.join(tmpdir(), 'idem-stamp-'));
    write('app/page.tsx', 'a');
    write('package-lock.json', '{}');
    expect(buildIsCurrent(root)).toBe(false); // no build at all
    write('.next/BUILD_ID', 'x');
    recordBuild(root);
    expect(buildIsCurrent(root)).toBe(true);

    write('app/page.tsx', 'b');
    expect(buildIsCurrent(root)).toBe(false);
    recordBuild(root);
    write('package-lock.json', '{"changed":true}');
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('ignores tests, generated code and dependencies', () => {
    root = mkdtempSync(path.join(tmpdir(), 'idem-stamp-'));
    write('lib/a.ts', 'a');
    const before = sourcesHash(root);
    write('lib/a.test.ts', 'test');
    write('lib/generated/x.ts', 'generated');
    write('node_modules/y/index.js', 'dep');
    expect(sourcesHash(root)).toBe(before);
  });
});
