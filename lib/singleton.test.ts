import { describe, expect, it, vi } from 'vitest';
import { singleton } from './singleton';

describe('singleton', () => {
  it('makes the value once per name and hands the same one to every caller', () => {
    let made = 0;
    const make = () => ({ n: ++made });
    const a = singleton('test.once', make);
    const b = singleton('test.once', make);
    expect(b).toBe(a);
    expect(made).toBe(1);
    expect(singleton('test.other', make)).not.toBe(a);
    expect(made).toBe(2);
  });

  it('keeps a value that is falsy', () => {
    let made = 0;
    expect(singleton('test.zero', () => (made++, 0))).toBe(0);
    expect(singleton('test.zero', () => (made++, 1))).toBe(0);
    expect(made).toBe(1);
  });

  it('survives a second copy of the module (as in another Next.js bundle)', async () => {
    const first = singleton('test.shared', () => ({}));
    vi.resetModules();
    const copy = await import('./singleton');
    expect(copy.singleton).not.toBe(singleton);
    expect(copy.singleton('test.shared', () => ({}))).toBe(first);
  });
});
