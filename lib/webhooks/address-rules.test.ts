import { describe, expect, it } from 'vitest';
import { addressPolicyOf, addressRefusal, checkEndpointHost } from './address-policy';
import { classifyAddress, parseAllowedHosts, urlProblem } from './address-rules';

describe('classifying the address an endpoint resolves to', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['[::1]', 'loopback'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('throws on a name', () => {
    expect(() => classifyAddress('example.com')).toThrow(/not an IP address/);
  });
});

describe('the production rule', () => {
  const production = addressPolicyOf({ NODE_ENV: 'production', IDEM_WEBHOOK_ALLOWED_HOSTS: ' LocalHost , 10.0.0.5' });

  it('refuses internal addresses in production unless the host is allowed', () => {
    expect(addressRefusal('internal.example', '10.0.0.7', production)).toMatch(/private address \(10\.0\.0\.7\)/);
    expect(addressRefusal('metadata', '169.254.169.254', production)).toMatch(/metadata/);
    expect(addressRefusal('localhost', '127.0.0.1', production)).toBeNull();
    expect(addressRefusal('10.0.0.5', '10.0.0.5', production)).toBeNull();
    expect(addressRefusal('example.com', '93.184.216.34', production)).toBeNull();
  });

  it('allows everything outside production (development and tests)', () => {
    expect(addressRefusal('x', '127.0.0.1', addressPolicyOf({ NODE_ENV: 'development' }))).toBeNull();
  });

  it('checks IP literals at creation without resolving', async () => {
    const policy = addressPolicyOf({ NODE_ENV: 'production' });
    expect(await checkEndpointHost('http://127.0.0.1:9/hook', policy)).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(await checkEndpointHost('http://[::1]/hook', policy)).toMatch(/loopback/);
    expect(await checkEndpointHost('https://93.184.216.34/hook', policy)).toBeNull();
    expect(await checkEndpointHost('http://localhost/hook', policy)).toMatch(/loopback/);
    expect(await checkEndpointHost('not a url', policy)).toMatch(/full URL/);
  });

  it('reads the allowed hosts as a lower-cased list', () => {
    expect(parseAllowedHosts(' A.example ,,[::1]')).toEqual(['a.example', '::1']);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});

describe('endpoint URLs', () => {
  it.each([
    ['not a url', /full URL/],
    ['ftp://example.com/x', /https:\/\/ or http:\/\//],
    ['javascript:alert(1)', /https:\/\/ or http:\/\//],
    ['https://user:pass@example.com/', /user name or password/],
    [`https://example.com/${'a'.repeat(2000)}`, /2000 characters/],
  ])('refuses %j', (url, message) => {
    expect(urlProblem(url)).toMatch(message);
  });

  it('takes http and https URLs', () => {
    expect(urlProblem('https://books.example/webhooks?x=1')).toBeNull();
    expect(urlProblem('http://127.0.0.1:8080/hook')).toBeNull();
  });
});
