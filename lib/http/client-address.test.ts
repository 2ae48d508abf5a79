import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { normalizeForwardedHeaders, parseTrustedProxies, proxyTrust } from './client-address';

// Given the socket's peer and the headers it sent, when the edge has normalized them, then
// X-Forwarded-For is exactly one address: the client's as the configured hop says.

const normalized = (peer: string, headers: IncomingHttpHeaders, env: Record<string, string> = {}) => {
  const copy = { ...headers };
  normalizeForwardedHeaders(copy, peer, proxyTrust(env));
  return copy;
};

describe('forwarded headers from a peer that is not a trusted proxy', () => {
  it('are dropped: the client is the socket, whatever it claims', () => {
    const headers = normalized('203.0.113.7', {
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-real-ip': '10.0.0.2',
      forwarded: 'for=10.0.0.3',
      host: 'bank.example',
    });
    expect(headers).toEqual({ 'x-forwarded-for': '203.0.113.7', host: 'bank.example' });
  });

  it('without TRUSTED_PROXIES no peer is trusted, loopback included', () => {
    expect(normalized('127.0.0.1', { 'x-forwarded-for': '10.9.9.9' })['x-forwarded-for']).toBe('127.0.0.1');
    expect(normalized('::ffff:127.0.0.1', {})['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('forwarded headers from a trusted proxy', () => {
  const env = { TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.10' };

  it('the client is the nearest hop that is not a trusted proxy; anything further left is ignored', () => {
    const headers = normalized(
      '10.0.0.5',
      { 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.1.2.3', 'x-forwarded-proto': 'https' },
      env,
    );
    expect(headers).toEqual({ 'x-forwarded-for': '198.51.100.4', 'x-forwarded-proto': 'https' });
  });

  it('no header: the proxy itself; every hop trusted: the farthest; garbage: the proxy', () => {
    expect(normalized('192.0.2.10', {}, env)['x-forwarded-for']).toBe('192.0.2.10');
    expect(normalized('10.0.0.5', { 'x-forwarded-for': '10.0.0.9, 10.0.0.8' }, env)['x-forwarded-for']).toBe(
      '10.0.0.9',
    );
    expect(normalized('10.0.0.5', { 'x-forwarded-for': 'unknown' }, env)['x-forwarded-for']).toBe('10.0.0.5');
  });

  it('IDEM_CLIENT_IP_HEADER names the header the proxy writes', () => {
    const headers = normalized(
      '10.0.0.5',
      { 'cf-connecting-ip': '198.51.100.9', 'x-forwarded-for': '6.6.6.6' },
      { ...env, IDEM_CLIENT_IP_HEADER: 'CF-Connecting-IP' },
    );
    expect(headers['x-forwarded-for']).toBe('198.51.100.9');
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes addresses and CIDRs of both families and names a bad entry', () => {
    const list = parseTrustedProxies('127.0.0.1, ::1, 10.0.0.0/8, fd00::/8');
    expect([list.check('10.200.0.1', 'ipv4'), list.check('fd00::1', 'ipv6'), list.check('11.0.0.1', 'ipv4')]).toEqual([
      true,
      true,
      false,
    ]);
    for (const bad of ['localhost', '10.0.0.0/33', '1.2.3.4/8/1', '::1/129'])
      expect(() => parseTrustedProxies(bad), bad).toThrow(bad);
  });
});
