// Trusted proxies as text: parsing only, no configuration (lib/config.ts validates with it, so it
// imports nothing of Idem's).
import { BlockList, isIP } from 'node:net';

/** `10.0.0.0/8, 192.0.2.10, ::1, fd00::/8` → a BlockList; throws naming the first bad entry. */
export function parseTrustedProxies(value: string | undefined): BlockList {
  const proxies = new BlockList();
  for (const entry of (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (
      !family ||
      extra !== undefined ||
      (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))
    )
      throw new Error(`"${entry}" is not an IP address or CIDR (like 10.0.0.0/8 or 192.0.2.10)`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) proxies.addAddress(address, type);
    else proxies.addSubnet(address, Number(prefix), type);
  }
  return proxies;
}
