import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAttempt } from './send';

// One HTTP attempt against a local server: the answer's body is kept to 1 KB, redirects are not
// followed, a silent server times out, and in production a loopback address is refused when it is
// resolved, before any connection.

const hits: string[] = [];
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((request, response) => {
    hits.push(request.url ?? '');
    if (request.url === '/big') response.writeHead(500).end('x'.repeat(5000));
    else if (request.url === '/redirect') response.writeHead(302, { location: '/target' }).end();
    else if (request.url === '/silent') return;
    else response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const open = { production: false, allowedHosts: [] };

describe('one attempt', () => {
  it('keeps at most 1 KB of the answer', async () => {
    const result = await sendAttempt(`${base}/big`, '{}', {}, open);
    expect(result).toEqual({ kind: 'answered', status: 500, body: 'x'.repeat(1024) });
  });

  it('does not follow a redirect', async () => {
    const result = await sendAttempt(`${base}/redirect`, '{}', {}, open);
    expect(result).toMatchObject({ kind: 'answered', status: 302 });
    expect(hits).not.toContain('/target');
  });

  it('gives up on a silent server at the timeout', async () => {
    expect(await sendAttempt(`${base}/silent`, '{}', {}, open, 200)).toEqual({
      kind: 'error',
      error: 'no answer within 0.2 s',
    });
  });

  it('reports a refused connection', async () => {
    const result = await sendAttempt('http://127.0.0.1:1/x', '{}', {}, open);
    expect(result).toMatchObject({ kind: 'error', error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('in production refuses loopback at resolution time unless the host is allowed', async () => {
    const before = hits.length;
    const production = { production: true, allowedHosts: [] };
    expect(await sendAttempt(`${base}/ok`, '{}', {}, production)).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/localhost is a loopback address/),
    });
    expect(await sendAttempt(base.replace('localhost', '127.0.0.1') + '/ok', '{}', {}, production)).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/loopback/),
    });
    expect(hits.length).toBe(before);
    expect(await sendAttempt(`${base}/ok`, '{}', {}, { production: true, allowedHosts: ['localhost'] })).toEqual({
      kind: 'answered',
      status: 204,
      body: '',
    });
  });
});
