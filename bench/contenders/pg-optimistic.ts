// The hand-written optimistic floor: what an expert writes with plain `pg` and no framework, on
// Idem's tables, for the same job with the same guarantees. Two named (prepared) statements:
//  1. load: the command row (a duplicate is replayed) and the balance row, which holds the state
//     and the stream version (no events to fold, no snapshots needed);
//  2. commit, one statement: command row + event at version + 1 + balance update + transaction
//     row (the same four rows Idem writes); a rejection writes the command row alone.
// The unique constraints decide, as in Idem: (stream_id, version) → re-load and re-decide after a
// backoff (Idem's policy, 30 attempts); commands_pkey → re-load, which replays the stored outcome.
import type pg from 'pg';
import { decide, type Account, type AccountCommand } from '../../lib/accounts/domain/account';
import { backoffMs, sleep, type OpOutcome } from '../measurement/closed-loop';
import { fingerprintOf, metadataOf, moneyCommand, type Appender } from './job';
import { seededPool } from './seeded-pool';

const MAX_ATTEMPTS = 30;

const LOAD = `SELECT c.type AS command_type, encode(c.fingerprint, 'hex') AS fingerprint, c.outcome, b.owner, b.account_number, b.customer_id, b.balance_cents::float8 AS balance, b.version, b.opened_at
                FROM (SELECT) AS one
                LEFT JOIN commands c ON c.command_key = idem_command_key($1)
                LEFT JOIN account_balances b ON b.account_id = $2`;

const COMMIT = `WITH c AS (
                  INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                  VALUES (idem_command_key($1), $1, $2, ARRAY[$3::text], decode($4, 'hex'), 'accepted', $5::jsonb, $6)
                ), e AS (
                  INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
                  VALUES ($3, $7, $8, $9::jsonb, $10::jsonb, idem_command_key($1), $6)
                ), b AS (
                  UPDATE account_balances SET balance_cents = $11, version = $7, updated_at = $6 WHERE account_id = $12
                )
                INSERT INTO account_transactions (account_id, version, kind, amount_cents, balance_after_cents, occurred_at)
                VALUES ($12, $7, $13, $14, $11, $6)`;

const REJECT = `INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                VALUES (idem_command_key($1), $1, $2, ARRAY[$3::text], decode($4, 'hex'), 'rejected', $5::jsonb, $6)`;

type LoadRow = {
  command_type: string | null;
  fingerprint: string | null;
  outcome: unknown;
  owner: string | null;
  account_number: string | null;
  customer_id: string | null;
  balance: number | null;
  version: number | null;
  opened_at: Date | null;
};

type MoneyCommand = Exclude<AccountCommand, { type: 'OpenAccount' }>;

async function attempt(pool: pg.Pool, command: MoneyCommand): Promise<'done' | 'rejected'> {
  const { commandId, now } = command.metadata;
  const { accountId, amountCents } = command.data;
  const stream = `account-${accountId}`;
  const fingerprint = fingerprintOf(command);
  const { rows } = await pool.query<LoadRow>({ name: 'floor_load', text: LOAD, values: [commandId, accountId] });
  const row = rows[0]!;
  if (row.command_type !== null) {
    if (row.command_type !== command.type || row.fingerprint !== fingerprint)
      throw new Error(`command id ${commandId} reused`);
    return (row.outcome as { status: string }).status === 'accepted' ? 'done' : 'rejected'; // a replay
  }
  const state: Account =
    row.owner === null
      ? { status: 'none' }
      : {
          status: 'open',
          accountId,
          accountNumber: row.account_number!,
          customerId: row.customer_id,
          owner: row.owner,
          balanceCents: row.balance!,
          openedAt: row.opened_at!.toISOString(),
        };
  const decision = decide(command, state);
  if (!decision.ok) {
    await pool.query({
      name: 'floor_reject',
      text: REJECT,
      values: [
        commandId,
        command.type,
        stream,
        fingerprint,
        JSON.stringify({ status: 'rejected', rejection: decision.rejection }),
        now,
      ],
    });
    return 'rejected';
  }
  const event = decision.events[0]!;
  if (event.type !== 'MoneyDeposited' && event.type !== 'MoneyWithdrawn') throw new Error(`unexpected ${event.type}`);
  const version = row.version! + 1;
  const after = event.data.balanceAfterCents;
  const outcome = {
    status: 'accepted',
    result: {
      accountId,
      accountNumber: row.account_number,
      owner: row.owner,
      amountCents,
      balanceCents: after,
      version,
    },
  };
  await pool.query({
    name: 'floor_commit',
    text: COMMIT,
    values: [
      commandId,
      command.type,
      stream,
      fingerprint,
      JSON.stringify(outcome),
      now,
      version,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(metadataOf(command)),
      after,
      accountId,
      event.type === 'MoneyDeposited' ? 'deposit' : 'withdrawal',
      amountCents,
    ],
  });
  return 'done';
}

export function pgOptimisticAppender(url: string, poolSize: number): Appender {
  const { pool, accounts, common } = seededPool(url, poolSize);
  return {
    ...common,
    name: 'pg optimistic (hand-written)',
    async append(key, _worker, seq): Promise<OpOutcome> {
      const command = moneyCommand(accounts.of(key), seq) as MoneyCommand;
      let conflicts = 0;
      for (let n = 1; n <= MAX_ATTEMPTS; n++) {
        try {
          return (await attempt(pool, command)) === 'done' ? { conflicts } : { conflicts, failed: true };
        } catch (error) {
          const { code, constraint } = error as { code?: string; constraint?: string };
          if (code !== '23505') throw error;
          // commands_pkey: this command id committed meanwhile; the next load replays it.
          if (constraint !== 'commands_pkey') conflicts++;
          if (n < MAX_ATTEMPTS && constraint !== 'commands_pkey') await sleep(backoffMs(n));
        }
      }
      return { conflicts, failed: true, busy: true };
    },
  };
}
