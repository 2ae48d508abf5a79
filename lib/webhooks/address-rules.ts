// Which addresses an endpoint may not reach (server-side request forgery): loopback, private,
// link-local, cloud metadata, unspecified, multicast and reserved ranges. Pure: callers resolve names.
import { BlockList, isIP } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

const ranges: [AddressClass, string, number, 'ipv4' | 'ipv6'][] = [
  // Metadata first: 169.254.169.254 is link-local too, but says more as "metadata".
  ['metadata', '169.254.169.254', 32, 'ipv4'],
  ['metadata', '100.100.100.200', 32, 'ipv4'],
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['reserved', '0.0.0.0', 8, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '224.0.0.0', 3, 'ipv4'],
  ['reserved', '::', 128, 'ipv6'],
  ['reserved', 'ff00::', 8, 'ipv6'],
  ['reserved', '64:ff9b::', 96, 'ipv6'],
];

const lists = new Map<AddressClass, BlockList>();
for (const [kind, network, prefix, family] of ranges) {
  const list = lists.get(kind) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  lists.set(kind, list);
}

/** The class of an IP address (IPv4-mapped IPv6 counts as its IPv4 address); throws on a non-address. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (!family) throw new Error(`${address} is not an IP address`);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const [ip, type] = mapped
    ? [mapped[1]!, 'ipv4' as const]
    : [bare, family === 4 ? ('ipv4' as const) : ('ipv6' as const)];
  for (const [kind, list] of lists) if (list.check(ip, type)) return kind;
  return 'public';
}

/** `IDEM_WEBHOOK_ALLOWED_HOSTS`: host names or addresses, comma-separated, lower-cased. */
export const parseAllowedHosts = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((host) =>
      host
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean);

/** Why this text cannot be an endpoint URL, or null: http(s), a host, no credentials, at most 2000 characters. */
export function urlProblem(text: string): string | null {
  if (text.length > 2000) return 'The URL must be at most 2000 characters.';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter a full URL, like https://example.com/webhooks.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with https:// or http://.';
  if (!url.hostname) return 'The URL must name a host.';
  if (url.username || url.password) return 'The URL must not contain a user name or password.';
  return null;
}
