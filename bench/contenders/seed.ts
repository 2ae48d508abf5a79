// Seeds one long, valid account stream with bulk SQL: AccountOpened (schema 2: the bench customer
// owns it), then MoneyDeposited events of $1.00 (schema 2) with contiguous versions and consistent
// balanceAfterCents, one accepted `commands` row per event (events.command_key references it), the
// transaction rows and the balance row, and optionally a snapshot `tail` events before the head.
import pg from 'pg';
import type { AccountId } from '../../lib/accounts/domain/account-id';
import { legacyAccountNumber } from '../../lib/accounts/domain/account-number';
import { ACCOUNT_SNAPSHOT_SCHEMA, newAccountId } from '../idem-adapter';
import { BENCH_CUSTOMER } from './job';
import { newId } from './payload';

const STEP_CENTS = 100;

export type SeededStream = { accountId: AccountId; length: number; snapshotVersion: number | null };

export async function seedStream(url: string, length: number, snapshotTail: number | null): Promise<SeededStream> {
  const accountId = newAccountId();
  const accountNumber = legacyAccountNumber(accountId);
  const stream = `account-${accountId}`;
  const at = new Date('2026-01-01T00:00:00.000Z').toISOString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Command ids: `seed-<account>-<version>`; OpenAccount opens with no deposit (one event).
    await client.query(
      `INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
       SELECT idem_command_key('seed-' || $1::text || '-' || g), 'seed-' || $1::text || '-' || g,
              CASE WHEN g = 1 THEN 'OpenAccount' ELSE 'DepositMoney' END,
              ARRAY[$2::text], decode(md5(g::text) || md5($1::text || g::text), 'hex'), 'accepted',
              jsonb_build_object('status', 'accepted', 'result', jsonb_build_object(
                'accountId', $1::text, 'accountNumber', $6::text, 'owner', 'bench', 'amountCents', CASE WHEN g = 1 THEN 0 ELSE $4::int END,
                'balanceCents', (g - 1) * $4::int, 'version', g)),
              $3::timestamptz
         FROM generate_series(1, $5::int) AS g`,
      [accountId, stream, at, STEP_CENTS, length, accountNumber],
    );
    await client.query(
      `INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
       SELECT $2::text, g,
              CASE WHEN g = 1 THEN 'AccountOpened' ELSE 'MoneyDeposited' END,
              CASE WHEN g = 1 THEN jsonb_build_object('accountId', $1::text, 'accountNumber', $6::text, 'customerId', $7::text, 'owner', 'bench', 'openedAt', $3::text)
                   ELSE jsonb_build_object('accountId', $1::text, 'amountCents', $4::int, 'currency', 'USD', 'balanceAfterCents', (g - 1) * $4::int, 'depositedAt', $3::text) END,
              jsonb_build_object('commandId', 'seed-' || $1::text || '-' || g,
                                 'commandType', CASE WHEN g = 1 THEN 'OpenAccount' ELSE 'DepositMoney' END,
                                 'causationId', 'seed-' || $1::text || '-' || g, 'correlationId', 'seed-' || $1::text || '-' || g,
                                 'schemaVersion', 2),
              idem_command_key('seed-' || $1::text || '-' || g), $3::timestamptz
         FROM generate_series(1, $5::int) AS g`,
      [accountId, stream, at, STEP_CENTS, length, accountNumber, BENCH_CUSTOMER],
    );
    await client.query(
      `INSERT INTO account_transactions (account_id, version, kind, amount_cents, balance_after_cents, occurred_at)
       SELECT $1::uuid, g, 'deposit', $3::int, (g - 1) * $3::int, $2::timestamptz
         FROM generate_series(2, $4::int) AS g`,
      [accountId, at, STEP_CENTS, length],
    );
    await client.query(
      `INSERT INTO account_balances (account_id, account_number, customer_id, owner, balance_cents, version, opened_at, updated_at)
       VALUES ($1, $5, $6, 'bench', $2, $3, $4, $4)`,
      [accountId, (length - 1) * STEP_CENTS, length, at, accountNumber, BENCH_CUSTOMER],
    );
    let snapshotVersion: number | null = null;
    if (snapshotTail !== null && length - snapshotTail >= 1) {
      snapshotVersion = length - snapshotTail;
      const state = {
        status: 'open',
        accountId,
        accountNumber,
        customerId: BENCH_CUSTOMER,
        owner: 'bench',
        balanceCents: (snapshotVersion - 1) * STEP_CENTS,
        openedAt: at,
      };
      await client.query(
        `INSERT INTO snapshots (stream_id, version, schema_version, state, created_at) VALUES ($1, $2, $3, $4, $5)`,
        [stream, snapshotVersion, ACCOUNT_SNAPSHOT_SCHEMA, state, at],
      );
    }
    await client.query('COMMIT');
    await client.query('ANALYZE events');
    return { accountId, length, snapshotVersion };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * The rows Idem's OpenAccount with an opening deposit commits (command, AccountOpened,
 * MoneyDeposited, balance and transaction rows), for the contenders that share Idem's tables but
 * not its code (the hand-written floors).
 */
export async function seedAccount(
  db: pg.Pool | pg.Client,
  accountId: AccountId,
  openingCents: number,
  customerId: string,
  owner = 'bench',
): Promise<void> {
  const commandId = newId();
  const accountNumber = legacyAccountNumber(accountId);
  const at = new Date().toISOString();
  const metadata = {
    commandId,
    commandType: 'OpenAccount',
    causationId: commandId,
    correlationId: commandId,
    schemaVersion: 2,
  };
  await db.query(
    `WITH c AS (
       INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
       VALUES (idem_command_key($1::text), $1::text, 'OpenAccount', ARRAY['account-' || $2::text], decode(md5($1::text), 'hex'), 'accepted',
               jsonb_build_object('status', 'accepted', 'result', jsonb_build_object('accountId', $2::text, 'accountNumber', $7::text, 'owner', $3::text,
                 'amountCents', $4::bigint, 'balanceCents', $4::bigint, 'version', 2)), $5)
     ), e AS (
       INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
       SELECT 'account-' || $2::text, v.version, v.type, v.data, v.metadata, idem_command_key($1::text), $5
         FROM jsonb_to_recordset($6::jsonb) AS v(version int, type text, data jsonb, metadata jsonb)
     ), b AS (
       INSERT INTO account_balances (account_id, account_number, customer_id, owner, balance_cents, version, opened_at, updated_at)
       VALUES ($2::text::uuid, $7::text, $8::text, $3::text, $4::bigint, 2, $5::timestamptz, $5::timestamptz)
     )
     INSERT INTO account_transactions (account_id, version, kind, amount_cents, balance_after_cents, occurred_at)
     VALUES ($2::text::uuid, 2, 'deposit', $4::bigint, $4::bigint, $5::timestamptz)`,
    [
      commandId,
      accountId,
      owner,
      openingCents,
      at,
      JSON.stringify([
        {
          version: 1,
          type: 'AccountOpened',
          data: { accountId, accountNumber, customerId, owner, openedAt: at },
          metadata,
        },
        {
          version: 2,
          type: 'MoneyDeposited',
          data: {
            accountId,
            amountCents: openingCents,
            currency: 'USD',
            balanceAfterCents: openingCents,
            depositedAt: at,
          },
          metadata,
        },
      ]),
      accountNumber,
      customerId,
    ],
  );
}
