import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identityEnvForStart } from './start-env';
import { authSecretFile, keptAuthSecret } from './kept-secret';

// A restart on the embedded database must not sign everyone out: the secret is made once per data
// directory, kept private, and an explicit BETTER_AUTH_SECRET still wins.

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-secret-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const local = { port: 3000, hostname: '127.0.0.1', embeddedDatabase: true, interactive: false };

describe('the kept BETTER_AUTH_SECRET', () => {
  it('is generated once and read back on the next start, in a file only its owner can read', () => {
    const dir = tempDir();
    const first = keptAuthSecret(dir);
    expect(first.created).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(authSecretFile(dir)).mode & 0o777).toBe(0o600);
    expect(keptAuthSecret(dir)).toEqual({ ...first, created: false });
  });

  it('differs between data directories', () => {
    expect(keptAuthSecret(tempDir()).secret).not.toBe(keptAuthSecret(tempDir()).secret);
  });

  it('replaces an empty or truncated file instead of using it', () => {
    const dir = tempDir();
    writeFileSync(authSecretFile(dir), 'short\n');
    const kept = keptAuthSecret(dir);
    expect(kept.created).toBe(true);
    expect(kept.secret).not.toBe('short');
  });

  it('is what two starts on the same data directory give the app', () => {
    const dir = tempDir();
    const first = identityEnvForStart({}, { ...local, secretDir: dir });
    const second = identityEnvForStart({}, { ...local, secretDir: dir });
    expect(first.env.BETTER_AUTH_SECRET).toBeTruthy();
    expect(second.env.BETTER_AUTH_SECRET).toBe(first.env.BETTER_AUTH_SECRET);
    expect(second.notice.join('\n')).not.toMatch(/sessions end at restart/);
  });

  it('gives way to an explicit BETTER_AUTH_SECRET, and then no file is written', () => {
    const dir = tempDir();
    const identity = identityEnvForStart({ BETTER_AUTH_SECRET: 'chosen '.repeat(6) }, { ...local, secretDir: dir });
    expect(identity.env.BETTER_AUTH_SECRET).toBeUndefined();
    expect(() => statSync(authSecretFile(dir))).toThrow();
  });
});
