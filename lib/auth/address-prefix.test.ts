import { describe, expect, it } from 'vitest';
import { addressPrefix } from '@/lib/auth/address-prefix';

describe('addressPrefix', () => {
  it('IPv4 → its /24, also when written as IPv4-mapped IPv6', () => {
    expect(addressPrefix('192.0.2.77')).toBe('192.0.2.0/24');
    expect(addressPrefix('::ffff:192.0.2.9')).toBe('192.0.2.0/24');
    expect(addressPrefix('127.0.0.1')).toBe('127.0.0.0/24');
  });

  it('IPv6 → its /64, however it is written', () => {
    expect(addressPrefix('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressPrefix('2001:0DB8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(addressPrefix('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressPrefix('::1')).toBe('0:0:0:0::/64');
    expect(addressPrefix('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('no address or garbage → one shared "unknown" bucket', () => {
    expect(addressPrefix(null)).toBe('unknown');
    expect(addressPrefix('not an address')).toBe('unknown');
  });
});
