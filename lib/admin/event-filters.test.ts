import { accountNumberOf, formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { describe, expect, it } from 'vitest';
import { parseEventFilter, parseTime } from './event-filters';

const TYPES = ['AccountOpened', 'MoneyWithdrawn'];

describe('admin event filters', () => {
  it('reads datetime-local values as UTC and covers the precision given', () => {
    expect(parseTime('2026-11-26T14:30')).toEqual({
      start: new Date('2026-11-26T14:30:00.000Z'),
      end: new Date('2026-11-26T14:30:59.999Z'),
    });
    expect(parseTime('2026-11-26')).toEqual({
      start: new Date('2026-11-26T00:00:00.000Z'),
      end: new Date('2026-11-26T23:59:59.999Z'),
    });
    expect(parseTime('2026-11-26 14:30:05')?.end).toEqual(new Date('2026-11-26T14:30:05.999Z'));
    expect(parseTime('2026-11-26T14:30:05.25Z')).toEqual({
      start: new Date('2026-11-26T14:30:05.250Z'),
      end: new Date('2026-11-26T14:30:05.250Z'),
    });
  });

  it('honours ISO 8601 offsets', () => {
    expect(parseTime('2026-11-26T14:30:00+01:00')?.start).toEqual(new Date('2026-11-26T13:30:00Z'));
    expect(parseTime('2026-11-26T14:30:00-0530')?.start).toEqual(new Date('2026-11-26T20:00:00Z'));
  });

  it('refuses what is not a real time rather than rolling it over', () => {
    for (const bad of [
      '2026-02-30',
      '2026-13-01T00:00',
      '2026-11-26T24:00',
      '2026-11-26T12:60',
      'yesterday',
      '26/11/2026',
      '2026-11-26T14:30+15:00',
      '',
    ]) {
      expect(parseTime(bad), bad).toBeNull();
    }
    expect(parseTime('2028-02-29')).not.toBeNull();
  });

  it('builds the filter and a message per invalid field', () => {
    const ok = parseEventFilter(
      { stream: ' account-1 ', type: 'MoneyWithdrawn', commandId: 'cmd-1', from: '2026-11-26', to: '2026-11-27T10:00' },
      TYPES,
    );
    expect(ok.errors).toEqual({});
    expect(ok.filter).toEqual({
      account: { by: 'stream', stream: 'account-1' },
      type: 'MoneyWithdrawn',
      commandId: 'cmd-1',
      from: new Date('2026-11-26T00:00:00Z'),
      to: new Date('2026-11-27T10:00:59.999Z'),
    });

    const bad = parseEventFilter({ type: 'Nope', commandId: 'has space', from: 'soon', to: '2026-11-26T25:00' }, TYPES);
    expect(Object.keys(bad.errors).sort()).toEqual(['commandId', 'from', 'to', 'type']);
    expect(bad.errors.from).toMatch(/“From” must be a UTC date and time like 2026-11-26T14:30/);

    const reversed = parseEventFilter({ from: '2026-11-27', to: '2026-11-26' }, TYPES);
    expect(reversed.errors).toEqual({ to: '“To” must not be before “From”.' });
    expect(parseEventFilter({ from: '2026-11-26T10:00', to: '2026-11-26T10:00' }, TYPES).errors).toEqual({});
  });

  it('finds an account by its number (spaces allowed) or a customer by email, and says when a number cannot be one', () => {
    const number = accountNumberOf(10_000_000_001);
    const spaced = formatAccountNumber(number);
    expect(spaced).toContain(' ');
    expect(parseEventFilter({ stream: spaced }, TYPES).filter.account).toEqual({ by: 'number', number });
    const wrongCheckDigit = `${number.slice(0, 11)}${(Number(number[11]) + 1) % 10}`;
    expect(parseEventFilter({ stream: wrongCheckDigit }, TYPES).errors.stream).toMatch(/not a valid account number/);
    expect(parseEventFilter({ stream: 'Ada@Example.test' }, TYPES).filter.account).toEqual({
      by: 'email',
      email: 'ada@example.test',
    });
    expect(parseEventFilter({ stream: '12345' }, TYPES).errors.stream).toMatch(/not a valid account number/);
    expect(parseEventFilter({ stream: 'account-1' }, TYPES).filter.account).toEqual({
      by: 'stream',
      stream: 'account-1',
    });
  });
});
