import type pg from 'pg';
import { accountIdsOf, type AccountDirectory, type DirectoryEntry, type LoggedEvent } from './public-event';

/**
 * The directory entries a batch of events needs (their accounts and the other sides of their
 * transfers), from the account_balances projection: one query per batch.
 */
export async function loadAccountDirectory(
  client: pg.ClientBase,
  events: Pick<LoggedEvent, 'type' | 'data'>[],
): Promise<AccountDirectory> {
  const ids = [...new Set(events.flatMap(accountIdsOf))];
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<DirectoryEntry & { accountId: string }>(
    `SELECT account_id::text AS "accountId", account_number AS "accountNumber", owner, customer_id AS "customerId"
       FROM account_balances WHERE account_id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map(({ accountId, ...entry }) => [accountId, entry]));
}
