// What the streaming tests check, shared by the integration and the fault test: the JetStream stream
// against Idem's events table (one message per event, unique ids, per-subject version order), and the
// statements consumer's tables against statements computed here, directly from the events table
// (internal events, integer cents: an independent path from the public schema the consumer reads).
import { DeliverPolicy, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { upcast } from '@/lib/accounts/domain/upcast';
import { hasPublicForm } from '@/lib/public-events/public-forms';
import { HEADER, STREAM_NAME } from '@/lib/streaming/subjects';

export type Statement = {
  accountId: string;
  month: string;
  openingCents: number;
  creditsCents: number;
  debitsCents: number;
  closingCents: number;
  movements: string;
};

const CREDIT = new Set(['MoneyDeposited', 'MoneyTransferredIn']);
const DEBIT = new Set(['MoneyWithdrawn', 'MoneyTransferredOut']);

/** Monthly statements computed from the events table (the reference). */
export async function statementsFromLog(client: pg.ClientBase): Promise<Statement[]> {
  const { rows } = await client.query<{
    stream_id: string;
    version: number;
    type: string;
    data: Record<string, unknown>;
    metadata: { schemaVersion?: number } | null;
    schema_version: number | null;
    created_at: Date;
  }>(
    `SELECT stream_id, version, type, data, metadata, schema_version, created_at FROM events ORDER BY stream_id, version`,
  );
  const byKey = new Map<string, Statement>();
  for (const row of rows) {
    const credit = CREDIT.has(row.type);
    if (!credit && !DEBIT.has(row.type)) continue;
    const event = upcast({
      type: row.type,
      data: row.data,
      schemaVersion: row.metadata?.schemaVersion ?? row.schema_version ?? undefined,
      streamId: row.stream_id,
      createdAt: row.created_at,
    });
    const data = event.data as { accountId: string; amountCents: number; balanceAfterCents: number };
    const month = row.created_at.toISOString().slice(0, 7);
    const key = `${data.accountId}/${month}`;
    const signed = credit ? data.amountCents : -data.amountCents;
    const s = byKey.get(key) ?? {
      accountId: data.accountId,
      month,
      openingCents: data.balanceAfterCents - signed,
      creditsCents: 0,
      debitsCents: 0,
      closingCents: 0,
      movements: '',
    };
    if (credit) s.creditsCents += data.amountCents;
    else s.debitsCents += data.amountCents;
    s.closingCents = data.balanceAfterCents;
    s.movements += `${row.version}:${signed}:${data.balanceAfterCents};`;
    byKey.set(key, s);
  }
  return [...byKey.values()].sort((a, b) => `${a.accountId}/${a.month}`.localeCompare(`${b.accountId}/${b.month}`));
}

/** The statements the consumer built (its own schema), in the same shape. */
export async function statementsFromConsumer(client: pg.ClientBase): Promise<Statement[]> {
  const { rows } = await client.query<{
    account_id: string;
    month: string;
    opening: string;
    credits: string;
    debits: string;
    closing: string;
    movements: string | null;
  }>(
    `SELECT s.account_id::text, s.month, s.opening_cents::text AS opening, s.credits_cents::text AS credits,
            s.debits_cents::text AS debits, s.closing_cents::text AS closing,
            (SELECT string_agg(m.version || ':' || (CASE WHEN m.kind IN ('money.deposited', 'transfer.received') THEN m.amount_cents ELSE -m.amount_cents END) || ':' || m.balance_after_cents || ';', '' ORDER BY m.version)
               FROM statements.movements m WHERE m.account_id = s.account_id AND m.month = s.month) AS movements
       FROM statements.monthly_statements s`,
  );
  return rows
    .map((r) => ({
      accountId: r.account_id,
      month: r.month,
      openingCents: Number(r.opening),
      creditsCents: Number(r.credits),
      debitsCents: Number(r.debits),
      closingCents: Number(r.closing),
      movements: r.movements ?? '',
    }))
    .sort((a, b) => `${a.accountId}/${a.month}`.localeCompare(`${b.accountId}/${b.month}`));
}

export type StreamAudit = {
  messages: number;
  uniqueIds: number;
  events: number;
  missing: string[];
  extra: string[];
  outOfOrder: string[];
};

/** Reads the whole stream and compares it with the events of public types in the events table. */
export async function auditStream(nc: NatsConnection, jsm: JetStreamManager, db: pg.ClientBase): Promise<StreamAudit> {
  const info = await jsm.streams.info(STREAM_NAME);
  const total = info.state.messages;
  const ids: string[] = [];
  const lastVersion = new Map<string, number>();
  const outOfOrder: string[] = [];
  if (total > 0) {
    const consumer = await jetstream(nc).consumers.get(STREAM_NAME, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    for await (const m of messages) {
      const id = m.headers?.get('Nats-Msg-Id') ?? '';
      ids.push(id);
      const version = Number(m.headers?.get(HEADER.version));
      const previous = lastVersion.get(m.subject) ?? 0;
      if (version <= previous) outOfOrder.push(`${m.subject}: ${version} after ${previous}`);
      lastVersion.set(m.subject, version);
      if (m.seq >= info.state.last_seq) break;
    }
    messages.stop();
  }
  const { rows } = await db.query<{ stream_id: string; version: number; type: string }>(
    `SELECT stream_id, version, type FROM events ORDER BY stream_id, version`,
  );
  const expected = rows
    .filter((r) => hasPublicForm({ streamId: r.stream_id, type: r.type }))
    .map((r) => `evt_${r.stream_id}_${r.version}`);
  const seen = new Set(ids);
  const wanted = new Set(expected);
  return {
    messages: ids.length,
    uniqueIds: seen.size,
    events: expected.length,
    missing: expected.filter((id) => !seen.has(id)).slice(0, 10),
    extra: [...seen].filter((id) => !wanted.has(id)).slice(0, 10),
    outOfOrder: outOfOrder.slice(0, 10),
  };
}
