import { describe, expect, it } from 'vitest';
import { addDays, dueDay, isDay } from './schedule';

describe('due days', () => {
  it('weekly: every 7 days, across month and year ends', () => {
    expect([0, 1, 2, 3].map((n) => dueDay('week', '2026-12-17', n))).toEqual([
      '2026-12-17',
      '2026-12-24',
      '2026-12-31',
      '2027-01-07',
    ]);
  });

  it('monthly on the 31st: paid on the last day of a short month, back on the 31st after it', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => dueDay('month', '2027-01-31', n))).toEqual([
      '2027-01-31',
      '2027-02-28',
      '2027-03-31',
      '2027-04-30',
      '2027-05-31',
      '2027-06-30',
    ]);
  });

  it('monthly on the 29th, 30th and 31st in a leap February', () => {
    expect(dueDay('month', '2028-01-29', 1)).toBe('2028-02-29');
    expect(dueDay('month', '2028-01-30', 1)).toBe('2028-02-29');
    expect(dueDay('month', '2028-01-31', 1)).toBe('2028-02-29');
    expect(dueDay('month', '2027-01-29', 1)).toBe('2027-02-28');
  });

  it('month-end: the last day of each month from the first payment’s month, leap years included', () => {
    expect([0, 1, 2, 3].map((n) => dueDay('month-end', '2027-12-05', n))).toEqual([
      '2027-12-31',
      '2028-01-31',
      '2028-02-29',
      '2028-03-31',
    ]);
    expect(dueDay('month-end', '2099-12-01', 2)).toBe('2100-02-28'); // 2100 is not a leap year
    expect(dueDay('month-end', '2399-12-01', 2)).toBe('2400-02-29'); // 2400 is
  });

  it('twelve months on, across a year end', () => {
    expect(dueDay('month', '2026-12-15', 12)).toBe('2027-12-15');
    expect(dueDay('week', '2026-12-15', 52)).toBe('2027-12-14');
  });

  it('adds days across a leap day and back', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('knows a real day from a string that only looks like one', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2027-02-29')).toBe(false);
    expect(isDay('2027-04-31')).toBe(false);
    expect(isDay('2027-13-01')).toBe(false);
    expect(isDay('27-01-01')).toBe(false);
    expect(isDay('2027-1-1')).toBe(false);
  });
});
