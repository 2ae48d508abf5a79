// The statements consumer's own tables, in its own schema `statements`, created by the consumer
// itself at start (idempotent). It never reads Idem's tables; Idem's account page reads these (the
// app's role gets SELECT, nothing more).
import type pg from 'pg';
import { inTransaction } from '@/lib/db/pg-transaction';

const DDL = `
CREATE SCHEMA IF NOT EXISTS statements;
-- The last stream sequence applied, committed with its effect.
CREATE TABLE IF NOT EXISTS statements.consumer_position (
  name TEXT PRIMARY KEY,
  stream_sequence BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Per account: the last version applied (the page compares it with the ledger's).
CREATE TABLE IF NOT EXISTS statements.accounts (
  account_id UUID PRIMARY KEY,
  account_number TEXT NOT NULL,
  last_version INTEGER NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One statement per account and calendar month (UTC) that has movements.
CREATE TABLE IF NOT EXISTS statements.monthly_statements (
  account_id UUID NOT NULL,
  month CHAR(7) NOT NULL,
  opening_cents BIGINT NOT NULL,
  credits_cents BIGINT NOT NULL,
  debits_cents BIGINT NOT NULL,
  closing_cents BIGINT NOT NULL,
  movement_count INTEGER NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, month)
);
-- The movements of a statement; the event id keeps an event from being counted twice.
CREATE TABLE IF NOT EXISTS statements.movements (
  event_id TEXT PRIMARY KEY,
  account_id UUID NOT NULL,
  month CHAR(7) NOT NULL,
  version INTEGER NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  kind TEXT NOT NULL,
  amount_cents BIGINT NOT NULL,
  balance_after_cents BIGINT NOT NULL,
  counterparty TEXT,
  reference TEXT,
  stream_sequence BIGINT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS movements_account_month_idx ON statements.movements (account_id, month, version);
`;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the schema (one consumer at a time) and lets `readerRole` (the app's role) read it. */
export async function ensureStatementsSchema(client: pg.ClientBase, readerRole?: string): Promise<void> {
  await inTransaction(client, async () => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('idem-statements-schema'))`);
    await client.query(DDL);
    if (!readerRole) return;
    const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [readerRole]);
    if (rows.length === 0) return;
    await client.query(`GRANT USAGE ON SCHEMA statements TO ${ident(readerRole)}`);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA statements TO ${ident(readerRole)}`);
  });
}
