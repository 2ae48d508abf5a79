import 'server-only';
import { db, poolOf, preparedStatements } from '@/lib/db/prisma';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import type { AccountNumber } from '@/lib/accounts/domain/account-number';
import { maskName } from '@/lib/domain/mask-name';

// Read side of the account module: pages read the inline projections, never rehydrate. Customer
// reads always name the customer: someone else's account is, to them, not there.

const toCents = (value: bigint) => Number(value);
/** PostgreSQL prints uuids in lower case: a stored account id is already an AccountId. */
const stored = (id: string) => id as AccountId;

/** Accounts, newest first: every one (the ops console) or one customer's. */
async function newestAccounts(where: { customerId?: string }, limit: number) {
  const rows = await db().accountBalance.findMany({
    where,
    orderBy: [{ openedAt: 'desc' }, { accountId: 'asc' }],
    take: limit,
  });
  return rows.map((r) => ({ ...r, accountId: stored(r.accountId), balanceCents: toCents(r.balanceCents) }));
}

/** All accounts, for the ops console only. */
export const listAccounts = (limit = 100) => newestAccounts({}, limit);

/** The customer's own accounts, newest first. */
export const customerAccounts = (customerId: string, limit = 100) => newestAccounts({ customerId }, limit);

/** How many accounts the customer has and what they hold together (all of them, not one page). */
export async function customerTotals(customerId: string) {
  const [row] = await db().$queryRaw<{ count: bigint; total: bigint }[]>`
    SELECT count(*) AS count, coalesce(sum(balance_cents), 0)::bigint AS total FROM account_balances WHERE customer_id = ${customerId}`;
  return { count: Number(row?.count ?? 0), totalCents: row?.total ?? 0n };
}

export type OwnedAccount = {
  accountId: AccountId;
  owner: string;
  customerId: string | null;
  accountNumber: string;
  balanceCents: number;
  version: number;
  openedAt: Date;
  updatedAt: Date;
};

const OWNED_ACCOUNT = `SELECT account_id::text AS "accountId", owner, customer_id AS "customerId",
    account_number AS "accountNumber", balance_cents::text AS "balanceCents", version,
    opened_at AS "openedAt", updated_at AS "updatedAt"
  FROM account_balances WHERE account_id = $1::uuid AND customer_id = $2`;

/** The account if it is this customer's; null if it does not exist or belongs to someone else. */
export async function getOwnedAccount(accountId: AccountId, customerId: string): Promise<OwnedAccount | null> {
  // On every account request (API reads and commands' pages): plain pg and a named statement, like
  // the engine's hot statements; Prisma's query building was most of this read's cost.
  const query = { text: OWNED_ACCOUNT, values: [accountId, customerId] };
  const { rows } = await poolOf(db()).query<Omit<OwnedAccount, 'balanceCents'> & { balanceCents: string }>(
    preparedStatements() ? { name: 'idem_owned_account', ...query } : query,
  );
  const row = rows[0];
  return row ? { ...row, accountId: stored(row.accountId), balanceCents: Number(row.balanceCents) } : null;
}

/**
 * Who a transfer to `accountNumber` would reach, as the sender may see it: the account id (to put on
 * the command) and the recipient's masked name. Null when no account has that number.
 */
export async function findRecipient(accountNumber: AccountNumber) {
  const rows = await db().$queryRaw<{ accountId: string; holder: string | null; owner: string }[]>`
    SELECT b.account_id::text AS "accountId", u.name AS holder, b.owner
      FROM account_balances b LEFT JOIN users u ON u.id = b.customer_id
     WHERE b.account_number = ${accountNumber}`;
  const row = rows[0];
  return row
    ? { accountId: stored(row.accountId), accountNumber, maskedName: maskName(row.holder ?? row.owner) }
    : null;
}
