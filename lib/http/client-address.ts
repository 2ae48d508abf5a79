// Which X-Forwarded-* headers to believe (docs/security.md). Only a peer listed in TRUSTED_PROXIES
// may speak for the client: from anyone else the forwarded headers are dropped and X-Forwarded-For
// becomes the socket's own address. From a trusted proxy the client is the nearest hop of its
// header that is not itself a trusted proxy (`client, proxy1, proxy2` read from the right), so
// whatever a client wrote further left is ignored. Plain Node (node:net): the config check in
// lib/config.ts and the scripts use it too.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type BlockList, isIP } from 'node:net';
import { singleton } from '../singleton';
// Relative, not '@/': next.config.ts loads this file (and lib/config.ts) without the path alias.
import { loadConfig, type Config } from '../config';
import { parseTrustedProxies } from './proxy-list';

export { parseTrustedProxies };

/** Headers a client could forge to look like someone else or somewhere else. */
const FORWARDED = [
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
];

export type ProxyTrust = { proxies: BlockList; clientIpHeader: string };

/** `::ffff:10.0.0.1` (IPv4 on an IPv6 socket) → `10.0.0.1`. */
const bare = (address: string) =>
  address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

export function proxyTrust(
  env: Pick<Config, 'TRUSTED_PROXIES' | 'IDEM_TRUSTED_PROXIES' | 'IDEM_CLIENT_IP_HEADER'> = loadConfig(),
): ProxyTrust {
  return {
    // IDEM_TRUSTED_PROXIES: the name before TRUSTED_PROXIES, still read.
    proxies: parseTrustedProxies(env.TRUSTED_PROXIES ?? env.IDEM_TRUSTED_PROXIES),
    clientIpHeader: (env.IDEM_CLIENT_IP_HEADER || 'x-forwarded-for').split(',')[0]!.trim().toLowerCase(),
  };
}

function isTrusted(proxies: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The client a trusted proxy names: the nearest hop that is not a trusted proxy (or the farthest). */
function clientNamedBy(value: string | string[] | undefined, proxies: BlockList): string | null {
  const hops = (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((hop) => bare(hop.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) return null; // garbage from a proxy we trust: believe nothing beyond it
    if (!isTrusted(proxies, hop) || i === 0) return hop;
  }
  return null;
}

/**
 * Rewrites one request's headers in place, before Next.js reads them (lib/observability/http.ts):
 * afterwards X-Forwarded-For holds exactly one address, the client's, which is what rate limits
 * (ours and better-auth's) read; X-Forwarded-Host/-Proto survive only from a trusted proxy.
 */
export function normalizeForwardedHeaders(
  headers: IncomingHttpHeaders,
  peer: string | undefined,
  trust: ProxyTrust,
): void {
  const from = peer ? bare(peer) : '';
  if (!from || !isTrusted(trust.proxies, from)) {
    for (const name of [...FORWARDED, trust.clientIpHeader]) delete headers[name];
    if (from) headers['x-forwarded-for'] = from;
    return;
  }
  headers['x-forwarded-for'] = clientNamedBy(headers[trust.clientIpHeader], trust.proxies) ?? from;
}

// The trust in force; the subscription is made once per process (a singleton across bundles).
const forwardedTrust = singleton('forwardedTrust', () => ({ trust: undefined as ProxyTrust | undefined }));

/**
 * Applies normalizeForwardedHeaders to every request this process serves, at Node's
 * `http.server.request.start` (published before the server's 'request' event, so before Next.js
 * fills in X-Forwarded-For itself and before any route reads it). Called once per instance at start.
 */
export function installForwardedHeaderTrust(trust: ProxyTrust = proxyTrust()): void {
  const installed = forwardedTrust.trust !== undefined;
  forwardedTrust.trust = trust;
  if (installed) return;
  subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage };
    normalizeForwardedHeaders(request.headers, request.socket?.remoteAddress, forwardedTrust.trust!);
  });
}
