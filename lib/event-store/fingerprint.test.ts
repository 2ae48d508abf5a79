import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from './fingerprint';

// A fingerprint is stored with each command and compared on every retry, so its canonical form is
// part of the stored data: equal requests must hash equally in any key order, and the form must not
// drift between releases (a retry across a deploy would otherwise be refused as a reused key).

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2, 'b', 'a'])).toBe('[3,1,2,"b","a"]');
  });

  it('drops undefined properties, as JSON does, and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: null, c: 0 })).toBe('{"b":null,"c":0}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('writes null, numbers, strings and booleans as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([0, -0, 1.5, -250, 1e21, Number.NaN, true, false])).toBe(
      '[0,0,1.5,-250,1e+21,null,true,false]',
    );
    expect(canonicalJson('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
  });

  it('keeps unicode as is and sorts keys by UTF-16 code unit, not by locale', () => {
    expect(canonicalJson({ é: 1, z: 2, '😀': 3, Z: 4, a: 5 })).toBe('{"Z":4,"a":5,"z":2,"é":1,"😀":3}');
    expect(canonicalJson({ owner: 'Zoë 😀' })).toBe('{"owner":"Zoë 😀"}');
  });

  it('writes a Date as its ISO string, so different times never collide', () => {
    expect(canonicalJson({ at: new Date('2026-11-26T10:00:00.000Z') })).toBe('{"at":"2026-11-26T10:00:00.000Z"}');
  });
});

describe('fingerprint', () => {
  const request = { accountId: '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b', amountCents: 250 };

  it('is the sha256 hex of the canonical {request, type}, pinned so stored fingerprints stay valid', () => {
    const canonical =
      '{"request":{"accountId":"0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b","amountCents":250},"type":"DepositMoney"}';
    expect(fingerprint('DepositMoney', request)).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(fingerprint('DepositMoney', request)).toBe(
      'a35f0695babb0dcff624cd2591620762141912e6180eae6802ea39647a67d0ea',
    );
  });

  it('is equal for any key order', () => {
    const permuted = { amountCents: 250, accountId: '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b' };
    expect(fingerprint('DepositMoney', permuted)).toBe(fingerprint('DepositMoney', request));
    expect(fingerprint('T', { x: { b: 2, a: 1 }, y: [1] })).toBe(fingerprint('T', { y: [1], x: { a: 1, b: 2 } }));
  });

  it('differs by command type and by request', () => {
    const base = fingerprint('DepositMoney', request);
    expect(fingerprint('WithdrawMoney', request)).not.toBe(base);
    expect(fingerprint('DepositMoney', { ...request, amountCents: 251 })).not.toBe(base);
    expect(fingerprint('DepositMoney', { ...request, amountCents: '250' })).not.toBe(base);
    expect(fingerprint('DepositMoney', { ...request, note: 'x' })).not.toBe(base);
    expect(fingerprint('T', [1, 2])).not.toBe(fingerprint('T', [2, 1]));
  });
});
