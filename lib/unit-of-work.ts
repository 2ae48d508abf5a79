import 'server-only';
import type { Sql } from '@/lib/db/prisma';
import type { CommandRecord, StreamAppend } from '@/lib/event-store';
import type { AccountProjectionWrites } from '@/lib/projections/account-projections';

/** The command record as written: what the event store reads back, stamped with the command's time. */
export type CommandRow = Omit<CommandRecord, 'createdAt'> & { at: Date };

export type SnapshotWrite = { streamId: string; version: number; schemaVersion: number; state: unknown };

export type UnitOfWork = { command: CommandRow; appends: StreamAppend[]; projections: AccountProjectionWrites; snapshots: SnapshotWrite[] };

/**
 * Commits the command record, the events of every stream (each at its expected version + 1, + 2, …)
 * and the inline projections in ONE statement, which PostgreSQL runs as one transaction: all of it
 * lands or none of it does. A duplicate command id violates `commands_pkey`; another command that
 * advanced a stream violates `events_stream_id_version_key`. One round trip, no interactive
 * transaction holding a pooled connection between statements.
 */
export async function commit(db: Sql, work: UnitOfWork): Promise<void> {
  const { command, projections } = work;
  // Rows are written in one global order (stream id, then version) by every commit, so two
  // commands over the same streams (a transfer A→B and one B→A) wait for each other in the same
  // order and never deadlock; the loser gets a unique violation and re-decides.
  const appends = [...work.appends].sort((a, b) => compare(a.streamId, b.streamId));
  const events = appends.flatMap(({ streamId, expectedVersion, events: newEvents }) =>
    newEvents.map((event, index) => ({
      stream_id: streamId,
      version: expectedVersion + index + 1,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    })),
  );
  const balances = [...projections.balances].sort((a, b) => compare(a.accountId, b.accountId)).map((b) => ({
    account_id: b.accountId,
    owner: b.owner,
    balance_cents: b.balanceCents,
    version: b.version,
    opened_at: b.openedAt,
    updated_at: b.updatedAt,
  }));
  const snapshots = [...work.snapshots]
    .sort((a, b) => compare(a.streamId, b.streamId))
    .map((s) => ({ stream_id: s.streamId, version: s.version, schema_version: s.schemaVersion, state: s.state }));
  const transactions = [...projections.transactions]
    .sort((a, b) => compare(a.accountId, b.accountId) || a.version - b.version)
    .map((t) => ({
    account_id: t.accountId,
    version: t.version,
    kind: t.kind,
    amount_cents: t.amountCents,
    balance_after_cents: t.balanceAfterCents,
    command_id: t.commandId,
    occurred_at: t.occurredAt,
    counterparty_account_id: t.counterpartyId,
  }));

  await db.$executeRaw`
    WITH new_command AS (
      INSERT INTO commands (command_id, type, stream_ids, fingerprint, status, outcome, created_at)
      VALUES (${command.commandId}, ${command.type}, ${command.streamIds}::text[], ${command.fingerprint},
              ${command.status}, ${JSON.stringify(command.outcome)}::jsonb, ${command.at})
    ),
    new_events AS (
      INSERT INTO events (stream_id, version, type, data, metadata, command_id, created_at)
      SELECT e.stream_id, e.version, e.type, e.data, e.metadata, ${command.commandId}, ${command.at}
        FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
             AS e(stream_id text, version int, type text, data jsonb, metadata jsonb)
    ),
    balances AS (
      INSERT INTO account_balances (account_id, owner, balance_cents, version, opened_at, updated_at)
      SELECT b.account_id, b.owner, b.balance_cents, b.version, b.opened_at, b.updated_at
        FROM jsonb_to_recordset(${JSON.stringify(balances)}::jsonb)
             AS b(account_id uuid, owner text, balance_cents bigint, version int, opened_at timestamptz, updated_at timestamptz)
      ON CONFLICT (account_id) DO UPDATE
         SET owner = EXCLUDED.owner, balance_cents = EXCLUDED.balance_cents,
             version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
       WHERE account_balances.version < EXCLUDED.version
    ),
    new_snapshots AS (
      INSERT INTO snapshots (stream_id, version, schema_version, state, created_at)
      SELECT s.stream_id, s.version, s.schema_version, s.state, ${command.at}
        FROM jsonb_to_recordset(${JSON.stringify(snapshots)}::jsonb)
             AS s(stream_id text, version int, schema_version int, state jsonb)
      ON CONFLICT (stream_id) DO UPDATE
         SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, created_at = EXCLUDED.created_at
       WHERE snapshots.version < EXCLUDED.version OR snapshots.schema_version <> EXCLUDED.schema_version
    )
    INSERT INTO account_transactions (account_id, version, kind, amount_cents, balance_after_cents, command_id, occurred_at, counterparty_account_id)
    SELECT t.account_id, t.version, t.kind, t.amount_cents, t.balance_after_cents, t.command_id, t.occurred_at, t.counterparty_account_id
      FROM jsonb_to_recordset(${JSON.stringify(transactions)}::jsonb)
           AS t(account_id uuid, version int, kind text, amount_cents bigint, balance_after_cents bigint,
                command_id text, occurred_at timestamptz, counterparty_account_id uuid)`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
