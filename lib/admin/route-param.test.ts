import { describe, expect, it } from 'vitest';
import { parseEventFilter } from './event-filters';
import { decodeSegment } from './route-param';

// Admin pages take stream and command ids from the URL; PostgreSQL cannot compare text holding NUL
// (the page answered 500). Text no id can contain (control, format, unpaired surrogate characters)
// is "not found" or a filter error instead.
describe('ids from admin URLs', () => {
  it.each(['account-%00', 'account-%E2%80%AE', 'account-%0A', '%ED%A0%80'])(
    'decodeSegment(%s) is null: no such id',
    (raw) => {
      expect(decodeSegment(raw)).toBeNull();
    },
  );

  it('decodes ordinary ids', () => {
    expect(decodeSegment('account-0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b')).toBe(
      'account-0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b',
    );
  });

  it.each(['account-\u0000', 'a\u202Eb', 'x\u200B'])('the stream filter refuses %j with a field error', (stream) => {
    const parsed = parseEventFilter({ stream }, []);
    expect(parsed.errors.stream).toMatch(/control|invisible/);
    expect(parsed.filter.account).toBeUndefined();
  });
});
