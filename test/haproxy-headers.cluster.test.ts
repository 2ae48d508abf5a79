import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/lib/db/embedded-postgres';
import { startHaproxy, type Haproxy } from '@/lib/cluster/haproxy';

// The shipped HAProxy config (ops/haproxy.cfg) in front of a server that echoes the headers it
// received: headers a client could forge to look like another host or another address never pass.

let echo: Server;
let proxy: Haproxy;
beforeAll(async () => {
  echo = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(request.headers));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await startHaproxy({
    port: await freePort(),
    servers: [{ name: 'echo', host: '127.0.0.1', port: (echo.address() as AddressInfo).port }],
  });
  await proxy.waitFor('echo', 'UP');
});
afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => echo?.close(resolve));
});

describe('HAProxy (ops/haproxy.cfg) and headers a client forges', () => {
  it('X-Forwarded-Host, Forwarded and X-Real-IP from a client are deleted; X-Forwarded-For gets the real address appended', async () => {
    const response = await fetch(`${proxy.url}/api/health/live`, {
      headers: {
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=203.0.113.9;host=evil.example;proto=https',
        'x-real-ip': '203.0.113.9',
        'x-forwarded-for': '203.0.113.9',
      },
    });
    const seen = (await response.json()) as IncomingHttpHeaders;
    expect(seen['x-forwarded-host']).toBeUndefined();
    expect(seen.forwarded).toBeUndefined();
    expect(seen['x-real-ip']).toBeUndefined();
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
  });
});
