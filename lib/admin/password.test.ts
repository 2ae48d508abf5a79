import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, hashPassword, hashPasswordSync, parsePasswordHash, verifyPassword } from './password';

describe('admin password hashes (scrypt)', () => {
  it('writes a self-describing, $-free format and verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt:32768:8:1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain('$');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash, so the same password hashes differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('reads its parameters from the hash (cost can be raised without breaking old hashes)', async () => {
    const cheap = await hashPassword('pw with other cost', { N: 1024, r: 4, p: 2 });
    expect(cheap.startsWith('scrypt:1024:4:2:')).toBe(true);
    expect(await verifyPassword('pw with other cost', cheap)).toBe(true);
    expect(await verifyPassword('pw with other cost', hashPasswordSync('pw with other cost'))).toBe(true);
  });

  it('normalizes Unicode (NFKC), so the same password typed on another keyboard matches', async () => {
    expect(await verifyPassword('caf\u0065\u0301 au lait', await hashPassword('caf\u00e9 au lait'))).toBe(true);
  });

  it('refuses malformed hashes and absurd cost parameters instead of throwing or hanging', async () => {
    const good = await hashPassword('x'.repeat(12));
    const [, , , , salt, hash] = good.split(':');
    for (const bad of [
      '',
      'plaintext',
      good.replaceAll(':', '$'),
      `scrypt:1000:8:1:${salt}:${hash}`, // N not a power of two
      `scrypt:${2 ** 24}:8:1:${salt}:${hash}`, // N too large: memory DoS
      `scrypt:32768:999:1:${salt}:${hash}`,
      `scrypt:32768:8:1:${salt}`,
      `scrypt:32768:8:1:${salt}:${hash}:extra`,
      `scrypt:32768:8:1:${salt}:not+base64url`,
      `bcrypt:32768:8:1:${salt}:${hash}`,
    ]) {
      expect(parsePasswordHash(bad), bad).toBeNull();
      expect(await verifyPassword('x'.repeat(12), bad)).toBe(false);
    }
    expect(parsePasswordHash(good)).toMatchObject(DEFAULT_PARAMS);
  });
});
