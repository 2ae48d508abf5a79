// One batch of stream messages applied to the statements, with the stream sequence, in ONE
// transaction: exactly once in effect. Sequences must rise past the stored one (the ordered consumer
// delivers the stream in order, with gaps only where the stream itself deleted messages); a sequence
// at or below it means this batch overlaps one already committed (another consumer with the same
// name): nothing is applied and the caller reads on from the stored sequence + 1.
import type pg from 'pg';
import { inTransaction } from '@/lib/db/pg-transaction';
import type { PublicEvent } from '@/lib/public-events/public-event';

const CONSUMER_NAME = 'statements';

export type StreamMessage = { seq: number; subject: string; event: PublicEvent | null };

const CREDITS = new Set(['money.deposited', 'transfer.received']);
const DEBITS = new Set(['money.withdrawn', 'transfer.sent']);

/** "12.50" → 1250: the public schema's decimal strings back to integer cents, exactly. */
export function toCents(decimal: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(decimal);
  if (!match) throw new Error(`not a 2-place decimal amount: "${decimal}"`);
  const cents = Number(match[2]) * 100 + Number(match[3]);
  return match[1] ? -cents : cents;
}

export async function readConsumerPosition(client: pg.ClientBase, name = CONSUMER_NAME): Promise<number> {
  const { rows } = await client.query<{ seq: string }>(
    `SELECT stream_sequence::text AS seq FROM statements.consumer_position WHERE name = $1`,
    [name],
  );
  return rows[0] ? Number(rows[0].seq) : 0;
}

class OutOfSequence extends Error {}

export async function applyBatch(client: pg.ClientBase, batch: StreamMessage[], name = CONSUMER_NAME): Promise<void> {
  if (batch.length === 0) return;
  await inTransaction(client, async () => {
    await client.query(`INSERT INTO statements.consumer_position (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
    const { rows } = await client.query<{ seq: string }>(
      `SELECT stream_sequence::text AS seq FROM statements.consumer_position WHERE name = $1 FOR UPDATE`,
      [name],
    );
    let previous = Number(rows[0]!.seq);
    for (const message of batch) {
      if (message.seq <= previous)
        throw new OutOfSequence(`stream sequence ${message.seq} is not after ${previous}: applied already`);
      previous = message.seq;
      if (message.event) await applyEvent(client, message.seq, message.event);
    }
    await client.query(
      `UPDATE statements.consumer_position SET stream_sequence = $2, updated_at = now() WHERE name = $1`,
      [name, batch.at(-1)!.seq],
    );
  });
}

async function applyEvent(client: pg.ClientBase, seq: number, { type, data }: PublicEvent): Promise<void> {
  const accounts = await client.query(
    `INSERT INTO statements.accounts (account_id, account_number, last_version) VALUES ($1, $2, $3)
     ON CONFLICT (account_id) DO UPDATE SET last_version = excluded.last_version, updated_at = now()
       WHERE statements.accounts.last_version < excluded.last_version`,
    [data.accountId, data.accountNumber, data.version],
  );
  if (accounts.rowCount === 0) return; // this version (or a later one) is applied already
  const credit = CREDITS.has(type);
  if (!credit && !DEBITS.has(type)) return; // account.opened: no money moved
  const amount = toCents(data.amount);
  const balance = toCents(data.balance);
  const month = data.at.slice(0, 7);
  const other = data.to ?? data.from;
  const moved = await client.query(
    `INSERT INTO statements.movements (event_id, account_id, month, version, at, kind, amount_cents, balance_after_cents, counterparty, reference, stream_sequence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING`,
    [
      data.eventId,
      data.accountId,
      month,
      data.version,
      data.at,
      type,
      amount,
      balance,
      other ? `${other.name} · ${other.accountNumber}` : null,
      data.reference ?? null,
      seq,
    ],
  );
  if (moved.rowCount === 0) return;
  const signed = credit ? amount : -amount;
  await client.query(
    `INSERT INTO statements.monthly_statements (account_id, month, opening_cents, credits_cents, debits_cents, closing_cents, movement_count)
     VALUES ($1, $2, $3, $4, $5, $6, 1)
     ON CONFLICT (account_id, month) DO UPDATE SET
       credits_cents = statements.monthly_statements.credits_cents + excluded.credits_cents,
       debits_cents = statements.monthly_statements.debits_cents + excluded.debits_cents,
       closing_cents = excluded.closing_cents,
       movement_count = statements.monthly_statements.movement_count + 1,
       updated_at = now()`,
    [data.accountId, month, balance - signed, credit ? amount : 0, credit ? 0 : amount, balance],
  );
}
