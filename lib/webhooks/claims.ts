// Claiming deliveries across instances, and recording what an attempt brought.
//
// A delivery may be attempted only when it is the oldest pending delivery of its endpoint and
// account (so event N+1 never goes before event N was acknowledged or given up), it is due, and
// nobody holds a lease on it. Rows are locked FOR UPDATE SKIP LOCKED, so N dispatchers claim
// disjoint sets without waiting on each other; the claim is a lease (lease_until, a fresh token) that
// outlasts the attempt's timeout, so no attempt is in flight twice, and a killed instance's claims
// are taken over once their lease has run out. A result is recorded only under the token it was
// claimed with.
import type pg from 'pg';
import { retryDelay } from './schedule';
import { inTransaction } from './transaction';

export type Claimed = {
  id: string;
  endpointId: string;
  customerId: string;
  url: string;
  eventId: string;
  eventAt: Date;
  body: string;
  attempts: number;
  leaseToken: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
};

/** `worker`: who claims (host:pid), kept on the row while the lease lasts (ops: who holds it). */
export async function claimDeliveries(
  client: pg.ClientBase,
  limit: number,
  leaseMs: number,
  worker: string,
): Promise<Claimed[]> {
  const { rows } = await client.query<Claimed>(
    `WITH heads AS (
       SELECT DISTINCT ON (endpoint_id, account_id) id FROM webhook_deliveries
        WHERE status = 'pending' ORDER BY endpoint_id, account_id, id
     ), due AS (
       SELECT d.id FROM webhook_deliveries d JOIN heads h ON h.id = d.id
         JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
        ORDER BY d.next_attempt_at, d.id LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d
        SET lease_until = now() + $2 * interval '1 millisecond', lease_token = gen_random_uuid(), leased_by = $3,
            attempts = d.attempts + 1, last_attempt_at = now()
       FROM due, webhook_endpoints e
      WHERE d.id = due.id AND e.id = d.endpoint_id
     RETURNING d.id::text, d.endpoint_id::text AS "endpointId", e.customer_id AS "customerId", e.url,
               d.event_id AS "eventId", d.event_at AS "eventAt", d.body, d.attempts, d.lease_token::text AS "leaseToken",
               e.secret, e.previous_secret AS "previousSecret", e.previous_secret_until AS "previousSecretUntil"`,
    [limit, leaseMs, worker],
  );
  return rows;
}

export type Outcome =
  | { ok: true; status: number; response: string }
  | { ok: false; status: number | null; response: string | null; error: string };

/** Endpoints that have failed everything for this long are disabled. */
const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

export type Recorded = 'delivered' | 'retry' | 'failed' | 'lost-lease';

/**
 * Records one attempt's outcome under its lease; returns what became of the delivery, and whether
 * its endpoint was disabled by this failure (it has failed everything for DISABLE_AFTER_MS).
 */
export async function recordAttempt(
  client: pg.ClientBase,
  claimed: Claimed,
  outcome: Outcome,
  schedule: readonly number[],
  random = Math.random(),
): Promise<{ recorded: Recorded; disabled: { reason: string } | null }> {
  const delay = outcome.ok ? null : retryDelay(claimed.attempts, schedule, random);
  const status = outcome.ok ? 'delivered' : delay === null ? 'failed' : 'pending';
  return inTransaction(client, async () => {
    const { rowCount } = await client.query(
      `UPDATE webhook_deliveries
          SET status = $3, lease_until = NULL, lease_token = NULL, leased_by = NULL, last_status_code = $4, last_response = $5,
              last_error = $6, next_attempt_at = now() + coalesce($7, 0) * interval '1 millisecond'
        WHERE id = $1 AND lease_token = $2`,
      [
        claimed.id,
        claimed.leaseToken,
        status,
        outcome.status,
        outcome.response,
        outcome.ok ? null : outcome.error.slice(0, 1000),
        delay,
      ],
    );
    if (rowCount === 0) return { recorded: 'lost-lease' as const, disabled: null };
    let disabled: { reason: string } | null = null;
    if (outcome.ok) {
      await client.query(
        `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
        [claimed.endpointId],
      );
    } else {
      const reason = `Disabled automatically: every delivery failed for 5 days (last: ${outcome.error.slice(0, 200)}).`;
      const { rows } = await client.query<{ disabled: boolean }>(
        `WITH old AS (SELECT enabled FROM webhook_endpoints WHERE id = $1 FOR UPDATE)
         UPDATE webhook_endpoints e
            SET failing_since = coalesce(e.failing_since, now()),
                enabled = e.enabled AND NOT coalesce(e.failing_since < now() - $2 * interval '1 millisecond', false),
                disabled_reason = CASE WHEN e.failing_since < now() - $2 * interval '1 millisecond' THEN $3 ELSE e.disabled_reason END
           FROM old WHERE e.id = $1 RETURNING (old.enabled AND NOT e.enabled) AS disabled`,
        [claimed.endpointId, DISABLE_AFTER_MS, reason],
      );
      if (rows[0]?.disabled) disabled = { reason };
    }
    const recorded: Recorded = outcome.ok ? 'delivered' : delay === null ? 'failed' : 'retry';
    return { recorded, disabled };
  });
}
