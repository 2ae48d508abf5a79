// A webhook receiver for the tests, on 127.0.0.1: it verifies EVERY request with the reference
// verifier (`standardwebhooks`), remembers ids (a repeat of an acknowledged id is a duplicate,
// discarded and counted, as a real receiver would), and answers as the test's `answer` says: a
// status, a hang (the sender's timeout), or being down (the port closed, then open again).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type Received = {
  path: string;
  id: string;
  timestamp: number;
  signatures: number;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What this request was answered. */
  answered: Answer;
};

/** A status now, a status after a while, or no answer at all (the sender times out). */
export type Answer = number | 'hang' | { status: number; afterMs: number };

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export async function startReceiver(
  options: { port?: number; answer?: (request: Received, attempt: number) => Answer } = {},
) {
  const secrets = new Map<string, string[]>();
  const requests: Received[] = [];
  const acknowledged = new Map<string, Received>();
  const attempts = new Map<string, number>();
  const badSignatures: string[] = [];
  let duplicates = 0;
  // Requests being answered, per path + id and per path + account: a second one at the same time is
  // an attempt in flight twice (or an account's next event sent before its previous was answered).
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  // Per path + account, the versions acknowledged: a request for version v while some version below
  // v (from 1) is not acknowledged yet came out of order.
  const ackedVersions = new Map<string, Set<number>>();
  const outOfOrder: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const hangingIds = new Set<string>();
  let answer = options.answer ?? (() => 204);

  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      const trusted = secrets.get(path) ?? [];
      const verified = trusted.some((secret) => {
        try {
          new Webhook(secret).verify(raw, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (!verified) {
        badSignatures.push(`${path} ${headers['webhook-id']}`);
        response.writeHead(400).end('bad signature');
        return;
      }
      const id = headers['webhook-id']!;
      const attempt = (attempts.get(`${path} ${id}`) ?? 0) + 1;
      attempts.set(`${path} ${id}`, attempt);
      const received: Received = {
        path,
        id,
        timestamp: Number(headers['webhook-timestamp']),
        signatures: headers['webhook-signature']!.split(' ').length,
        body: JSON.parse(raw) as Received['body'],
        answered: 204,
      };
      received.answered = answer(received, attempt);
      requests.push(received);
      const accountId = typeof received.body.data.accountId === 'string' ? received.body.data.accountId : id;
      const keys = [`${path} id ${id}`, `${path} account ${accountId}`];
      const version = received.body.data.version;
      if (typeof version === 'number' && received.body.data.accountId) {
        const acked = ackedVersions.get(`${path} ${accountId}`) ?? new Set<number>();
        for (let v = 1; v < version; v++)
          if (!acked.has(v)) {
            outOfOrder.push(`${path} ${accountId} v${version} before v${v}`);
            break;
          }
      }
      for (const key of keys) {
        if (inFlight.has(key)) overlaps.push(key);
        inFlight.add(key);
      }
      const settled = () => keys.forEach((key) => inFlight.delete(key));
      const reply = received.answered;
      if (reply === 'hang') {
        hanging.add(response);
        hangingIds.add(id);
        response.on('close', () => {
          hanging.delete(response);
          hangingIds.delete(id);
          settled();
        });
        return;
      }
      const [status, afterMs] = typeof reply === 'number' ? [reply, 0] : [reply.status, reply.afterMs];
      const finish = () => {
        settled();
        if (status >= 200 && status < 300) {
          if (acknowledged.has(`${path} ${id}`)) duplicates++;
          else acknowledged.set(`${path} ${id}`, received);
          if (typeof version === 'number') {
            const key = `${path} ${accountId}`;
            ackedVersions.set(key, (ackedVersions.get(key) ?? new Set<number>()).add(version));
          }
        }
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status}`);
      };
      if (afterMs > 0) setTimeout(finish, afterMs);
      else finish();
    });
  };

  let server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    /** The secret(s) the deliveries to `path` must verify with. */
    trust(path: string, ...secret: string[]) {
      secrets.set(path, secret);
    },
    set answer(fn: (request: Received, attempt: number) => Answer) {
      answer = fn;
    },
    requests,
    /** First acknowledged delivery per path and id, in the order they were acknowledged. */
    acknowledged: (path: string) => [...acknowledged.values()].filter((r) => r.path === path),
    attemptsOf: (path: string, id: string) => attempts.get(`${path} ${id}`) ?? 0,
    badSignatures,
    /** Requests for an account's version N+1 that arrived before version N was acknowledged. */
    outOfOrder,
    /** Ids being held without an answer right now. */
    hangingIds: () => [...hangingIds],
    /** Requests that arrived while another of the same id, or of the same account, was being answered. */
    overlaps,
    get duplicates() {
      return duplicates;
    },
    /** Closes the port (connections refused) until `up()`. */
    async down() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      server = http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
