// The webhook integration tests' shared steps: an endpoint of a customer at a path of the test
// receiver (trusted with its secret), and how far the fan-out is behind the log.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { db } from '@/lib/db/prisma';
import type { ApiCustomer } from './in-process-api';
import type { Receiver } from './webhook-receiver';

/** An endpoint of `who` at `path` of the receiver, created through the API and trusted with its secret. */
export async function trustedEndpoint(receiver: Receiver, who: ApiCustomer, path: string, eventTypes?: string[]) {
  const { data, response } = await who.api.POST('/api/webhook-endpoints', {
    params: { header: { 'Idempotency-Key': randomUUID() } },
    body: { url: receiver.url(path), ...(eventTypes ? { eventTypes: eventTypes as never } : {}) },
  });
  expect(response.status).toBe(201);
  receiver.trust(path, data!.secret);
  return data!;
}

/** Events the fan-out has not read yet. */
export async function fanOutBehind(): Promise<number> {
  const [row] = await db().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM events e, webhook_checkpoint c
     WHERE (e.transaction_id, e.global_position) > (c.last_transaction_id::xid8, c.last_position)`;
  return row!.n;
}
