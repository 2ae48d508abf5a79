import 'server-only';
import { db } from '@/lib/db/prisma';
import type { AccountId } from '@/lib/domain/account-id';

// Read side of the account module: pages read the inline projections, never rehydrate.

const toCents = (value: bigint) => Number(value);
/** PostgreSQL prints uuids in lower case: a stored account id is already an AccountId. */
const stored = (id: string) => id as AccountId;

export async function listAccounts(limit = 100) {
  const rows = await db().accountBalance.findMany({ orderBy: [{ openedAt: 'desc' }, { accountId: 'asc' }], take: limit });
  return rows.map((r) => ({ ...r, accountId: stored(r.accountId), balanceCents: toCents(r.balanceCents) }));
}

export async function getAccount(accountId: AccountId) {
  const row = await db().accountBalance.findUnique({ where: { accountId } });
  return row && { ...row, accountId: stored(row.accountId), balanceCents: toCents(row.balanceCents) };
}

export async function recentTransactions(accountId: AccountId, limit = 20) {
  const rows = await db().accountTransaction.findMany({ where: { accountId }, orderBy: { version: 'desc' }, take: limit });
  const counterpartyIds = [...new Set(rows.flatMap((r) => (r.counterpartyId ? [r.counterpartyId] : [])))];
  const owners = new Map(
    counterpartyIds.length === 0
      ? []
      : (await db().accountBalance.findMany({ where: { accountId: { in: counterpartyIds } }, select: { accountId: true, owner: true } })).map((a) => [a.accountId, a.owner]),
  );
  return rows.map((r) => ({
    ...r,
    amountCents: toCents(r.amountCents),
    balanceAfterCents: toCents(r.balanceAfterCents),
    counterpartyOwner: r.counterpartyId ? (owners.get(r.counterpartyId) ?? null) : null,
  }));
}

/** Accounts money can be transferred to from `accountId`, newest first. */
export async function transferTargets(accountId: AccountId, limit = 500) {
  return db().accountBalance.findMany({
    where: { accountId: { not: accountId } },
    select: { accountId: true, owner: true },
    orderBy: [{ openedAt: 'desc' }, { accountId: 'asc' }],
    take: limit,
  });
}
