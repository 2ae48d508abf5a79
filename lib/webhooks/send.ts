import 'server-only';
// One HTTP attempt: POST the body with its signed headers, 10 s at most, no redirects followed, the
// answer's body read up to 1 KB. The address is checked when it is resolved for this very
// connection (a lookup hook), so a name that resolves to a public address at creation and to a
// private one later (DNS rebinding) is still refused.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import dns from 'node:dns';
import { addressRefusal, type AddressPolicy } from './address-policy';

export const ATTEMPT_TIMEOUT_MS = 10_000;
const RESPONSE_BODY_LIMIT = 1024;

export type AttemptResult = { kind: 'answered'; status: number; body: string } | { kind: 'error'; error: string };

export async function sendAttempt(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: AddressPolicy,
  timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<AttemptResult> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refused = addressRefusal(host, host, policy);
    if (refused) return { kind: 'error', error: refused };
  }
  const lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const refused = addressRefusal(hostname, address, policy);
        if (refused) return callback(Object.assign(new Error(refused), { code: 'EREFUSEDADDRESS' }), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(
      target,
      {
        method: 'POST',
        lookup,
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Idem-Webhooks/1',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < RESPONSE_BODY_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          finish({
            kind: 'answered',
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8'),
          }),
        );
        response.on('error', (error) => finish({ kind: 'error', error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'error', error: `no answer within ${timeoutMs / 1000} s` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => finish({ kind: 'error', error: error.message }));
    request.end(body);
  });
}
