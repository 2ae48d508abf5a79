import { isIP } from 'node:net';

// Sign-in lockouts are counted per (email, network), not per address: one household, office or
// phone network shares a /24 (IPv4) or a /64 (IPv6, what one subscriber is given), so rotating
// addresses inside it gains nothing, while a stranger elsewhere cannot lock a customer out.

/** `192.0.2.77` → `192.0.2.0/24`; `2001:db8:1:2:3::4` → `2001:db8:1:2::/64`; anything else → `unknown`. */
export function addressPrefix(address: string | null | undefined): string {
  const text = (address ?? '').trim().toLowerCase();
  const mapped = text.startsWith('::ffff:') && isIP(text.slice(7)) === 4 ? text.slice(7) : text;
  const family = isIP(mapped);
  if (family === 4) return `${mapped.split('.').slice(0, 3).join('.')}.0/24`;
  if (family !== 6) return 'unknown';
  const [head = '', tail = ''] = mapped.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = mapped.includes('::') ? (tail ? tail.split(':') : []) : [];
  // An embedded IPv4 tail (`::1.2.3.4`) takes two groups; only the first four groups matter here.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = [...left, ...Array(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)))
    .join(':')}::/64`;
}
