import { describe, expect, it } from 'vitest';
import { formatSseEvent, parseLastEventId, SSE_COMMENT } from './sse-format';

describe('the SSE wire format', () => {
  it('writes id, event and data lines, and a blank line to end the event', () => {
    expect(formatSseEvent('42', 'transfer.received', '{"a":1}')).toBe(
      'id: 42\nevent: transfer.received\ndata: {"a":1}\n\n',
    );
  });

  it('refuses a field with a line break (it would start another field)', () => {
    expect(() => formatSseEvent('1', 'x', 'a\nb')).toThrow(/line break/);
    expect(() => formatSseEvent('1\r', 'x', 'a')).toThrow(/line break/);
  });

  it('writes the heartbeat as a comment, which clients ignore', () => {
    expect(SSE_COMMENT.startsWith(':')).toBe(true);
    expect(SSE_COMMENT.endsWith('\n\n')).toBe(true);
  });
});

describe('Last-Event-ID', () => {
  it('absent or empty means from now on', () => {
    expect(parseLastEventId(null)).toEqual({ ok: true, after: null });
    expect(parseLastEventId('  ')).toEqual({ ok: true, after: null });
  });

  it('is a log position: whole digits up to the largest bigint', () => {
    expect(parseLastEventId('0')).toEqual({ ok: true, after: 0n });
    expect(parseLastEventId(' 1234 ')).toEqual({ ok: true, after: 1234n });
    expect(parseLastEventId('9223372036854775807')).toEqual({ ok: true, after: 9223372036854775807n });
  });

  it('anything else is refused', () => {
    for (const bad of ['-1', '1.5', 'abc', '9223372036854775808', '12345678901234567890', '0x10'])
      expect(parseLastEventId(bad)).toEqual({ ok: false });
  });
});
