import type pg from 'pg';
import { accountIdsOf, type AccountDirectory, type DirectoryEntry, type LoggedEvent } from './public-event';

/**
 * The directory entries a batch of events needs (their accounts and the other sides of their
 * transfers), from the account_balances projection: one query per batch.
 */
export async function loadAccountDirectory(
  client: pg.ClientBase,
  events: Pick<LoggedEvent, 'type' | 'data' | 'streamId'>[],
  moreAccountIds: readonly string[] = [],
): Promise<AccountDirectory> {
  const ids = [...new Set([...events.flatMap(accountIdsOf), ...moreAccountIds])];
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<DirectoryEntry & { accountId: string }>(
    // The holder's name (what a transfer review masks), the account's name for accounts without a customer.
    `SELECT b.account_id::text AS "accountId", b.account_number AS "accountNumber", coalesce(u.name, b.owner) AS owner,
            b.customer_id AS "customerId"
       FROM account_balances b LEFT JOIN users u ON u.id = b.customer_id
      WHERE b.account_id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map(({ accountId, ...entry }) => [accountId, entry]));
}
