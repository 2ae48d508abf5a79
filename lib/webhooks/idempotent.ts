import 'server-only';
// Idempotency-Keys of the endpoint API (whose changes are not ledger commands): the first answer is
// stored with the change, in one transaction, and a repeat gets it again (Idempotent-Replayed: true);
// the same key with another request is refused. The stored answer is encrypted: it may hold a secret.
// A refused request (4xx) stores nothing and changes nothing.
import { createHash } from 'node:crypto';
import { db } from '@/lib/db/prisma';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';
import { openSecret, sealSecret } from './secrets';

type Tx = Parameters<Parameters<ReturnType<typeof db>['$transaction']>[0]>[0];
export type Answer = { status: number; body: unknown };

class Refused extends Error {
  constructor(readonly answer: Response) {
    super('refused');
  }
}

/** Inside `idempotent`: end the request with this answer, changing nothing. */
export const refuse = (answer: Response): never => {
  throw new Refused(answer);
};

export async function idempotent(
  customerId: string,
  key: string,
  request: { operation: string; body: unknown },
  run: (tx: Tx) => Promise<Answer>,
): Promise<Response> {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.operation, request.body]))
    .digest('hex');
  try {
    return await db().$transaction(async (tx) => {
      // Waits for a concurrent request with the same key to finish, then sees its row.
      const inserted = await tx.$executeRaw`
        INSERT INTO webhook_api_requests (customer_id, idempotency_key, fingerprint, status, response)
        VALUES (${customerId}, ${key}, ${fingerprint}, 0, '') ON CONFLICT DO NOTHING`;
      if (inserted === 0) {
        const stored = await tx.webhookApiRequest.findUniqueOrThrow({
          where: { customerId_idempotencyKey: { customerId, idempotencyKey: key } },
        });
        if (stored.fingerprint !== fingerprint)
          return problemResponse(
            problem(
              'idempotency-key-reused',
              'This Idempotency-Key was already used for a different request; use a new key for a new request.',
            ),
          );
        return new Response(openSecret(stored.response), {
          status: stored.status,
          headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
        });
      }
      const answer = await run(tx);
      const text = JSON.stringify(answer.body);
      await tx.webhookApiRequest.update({
        where: { customerId_idempotencyKey: { customerId, idempotencyKey: key } },
        data: { status: answer.status, response: sealSecret(text) },
      });
      return jsonResponse(answer.status, answer.body);
    });
  } catch (error) {
    if (error instanceof Refused) return error.answer;
    throw error;
  }
}
