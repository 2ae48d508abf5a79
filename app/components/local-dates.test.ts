import { describe, expect, it } from 'vitest';
import { clockTime, dateTimeLabel, dayKey, dayLabel, utcDayLabel, utcLabel } from './local-dates';

const now = new Date('2026-11-30T23:30:00Z');

describe('local dates', () => {
  it('reads the calendar day and the clock in the given zone', () => {
    const at = new Date('2026-11-30T22:15:00Z');
    expect(dayKey(at, 'UTC')).toBe('2026-11-30');
    expect(dayKey(at, 'Asia/Tokyo')).toBe('2026-12-01');
    expect(clockTime(at, 'Asia/Tokyo')).toBe('07:15');
    expect(clockTime(new Date('2026-11-30T00:05:00Z'), 'UTC')).toBe('00:05');
  });

  it('says Today and Yesterday relative to now, in the viewer’s zone', () => {
    expect(dateTimeLabel(new Date('2026-11-30T11:08:00Z'), now, 'UTC')).toBe('Today, 11:08');
    expect(dateTimeLabel(new Date('2026-11-29T09:12:00Z'), now, 'UTC')).toBe('Yesterday, 09:12');
    // 23:30 UTC is already tomorrow in Tokyo, so 11:08 UTC (20:08 there) was yesterday there.
    expect(dateTimeLabel(new Date('2026-11-30T11:08:00Z'), now, 'Asia/Tokyo')).toBe('Yesterday, 20:08');
    expect(dayLabel(new Date('2026-11-30T11:08:00Z'), now, 'America/Los_Angeles')).toBe('Today');
  });

  it('names older days, with the year only when it is not this year', () => {
    expect(dayLabel(new Date('2026-11-23T10:00:00Z'), now, 'UTC')).toBe('Monday 23 November');
    expect(dayLabel(new Date('2025-11-28T10:00:00Z'), now, 'UTC')).toBe('Friday 28 November 2025');
    expect(dateTimeLabel(new Date('2026-11-23T10:00:00Z'), now, 'UTC')).toBe('23 Nov, 10:00');
    expect(dateTimeLabel(new Date('2025-11-28T10:00:00Z'), now, 'UTC')).toBe('28 Nov 2025, 10:00');
  });

  it('states UTC plainly for the server-rendered page and the tooltip', () => {
    expect(utcLabel(new Date('2026-11-30T11:08:05.123Z'))).toBe('2026-11-30 11:08 UTC');
    expect(utcDayLabel(new Date('2026-11-30T11:08:05Z'))).toBe('Monday 30 November 2026 (UTC)');
  });
});
