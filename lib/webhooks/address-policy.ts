// The production rule for endpoint addresses: in production, a host that is (or resolves to) a
// loopback, private, link-local, metadata or reserved address is refused unless the host is listed in
// IDEM_WEBHOOK_ALLOWED_HOSTS. Outside production (development, tests) every address is allowed.
import dns from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress, parseAllowedHosts } from './address-rules';

export type AddressPolicy = { production: boolean; allowedHosts: readonly string[] };

export const addressPolicyOf = (config: { NODE_ENV?: string; IDEM_WEBHOOK_ALLOWED_HOSTS?: string }): AddressPolicy => ({
  production: config.NODE_ENV === 'production',
  allowedHosts: parseAllowedHosts(config.IDEM_WEBHOOK_ALLOWED_HOSTS),
});

/** Why `host` (which resolved to `address`) may not be reached, or null. */
export function addressRefusal(host: string, address: string, policy: AddressPolicy): string | null {
  if (!policy.production) return null;
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (policy.allowedHosts.includes(name) || policy.allowedHosts.includes(address)) return null;
  const kind = classifyAddress(address);
  if (kind === 'public') return null;
  return `${host} is a ${kind} address (${address}); endpoints must be reachable on the public internet`;
}

/** At creation: resolve the URL's host and check every address (a name that does not resolve is refused too). */
export async function checkEndpointHost(url: string, policy: AddressPolicy): Promise<string | null> {
  if (!policy.production) return null;
  if (!URL.canParse(url)) return 'Enter a full URL, like https://example.com/webhooks.';
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      return `${host} could not be resolved.`;
    }
  }
  for (const address of addresses) {
    const refused = addressRefusal(host, address, policy);
    if (refused) return `${refused[0]!.toUpperCase()}${refused.slice(1)}.`;
  }
  return null;
}
