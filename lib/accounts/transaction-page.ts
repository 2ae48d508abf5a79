import 'server-only';
import { db, poolOf, type Db } from '@/lib/db/prisma';
import { accountStreamId } from '@/lib/accounts/domain/account';
import { readDb } from '@/lib/db/read-replica';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { maskName } from '@/lib/domain/mask-name';
import type { TransactionKind } from '@/lib/accounts/inline-projections';
import {
  FILTER_KINDS,
  HISTORY_PAGE_SIZE,
  TRANSACTION_FILTERS,
  type Counterparty,
  type TransactionEntry,
  type TransactionFilter,
} from '@/lib/accounts/history-update';

export { TRANSACTION_FILTERS, type TransactionEntry, type TransactionFilter };

// One page of an account's history for its owner: newest first, a cursor on the stream version
// (stable while new rows arrive, unlike an offset), optionally one kind of movement. The other side
// of a transfer is named as the viewer may see it: their own account by its name, anyone else's by
// the holder's masked name, exactly as the transfer review showed it. (Its shapes, the filters and the
// page size are in ./history-update.ts, which the browser shares.)

export type TransactionPage = { entries: TransactionEntry[]; olderBefore: number | null };

export const parseFilter = (value: string | undefined): TransactionFilter =>
  (TRANSACTION_FILTERS as readonly string[]).includes(value ?? '') ? (value as TransactionFilter) : 'all';

/** A version cursor from the URL: a positive whole number, else none. */
export const parseCursor = (value: string | undefined): number | null =>
  value && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null;

/** Incoming money from someone else's command, past what the owner has seen. */
const isUnseen = (kind: string, version: number, seenVersion: number | null): boolean =>
  kind === 'transfer-in' && seenVersion !== null && version > seenVersion;

/** The other side of a transfer whose account the viewer can no longer find. */
const GONE: Counterparty = { name: 'another account', ownAccountId: null };

type AccountRef = { accountId: AccountId; openedAt: Date };

export async function transactionPage(
  account: AccountRef,
  viewerId: string,
  options: { filter: TransactionFilter; before: number | null; limit?: number; seenVersion?: number | null },
): Promise<TransactionPage> {
  const limit = options.limit ?? HISTORY_PAGE_SIZE;
  const kinds = FILTER_KINDS[options.filter];
  // History may come from a replica that has replayed the caller's last commit (lib/db/read-replica.ts).
  const reader = await readDb();
  const rows = await reader.accountTransaction.findMany({
    where: {
      accountId: account.accountId,
      ...(kinds ? { kind: { in: [...kinds] } } : {}),
      ...(options.before ? { version: { lt: options.before } } : {}),
    },
    orderBy: { version: 'desc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const names = await counterparties(
    reader,
    page.flatMap((r) => (r.counterpartyId ? [r.counterpartyId] : [])),
    viewerId,
  );
  const opened = account.openedAt.getTime();
  return {
    entries: page.map((r) => ({
      version: r.version,
      kind: r.kind as TransactionKind,
      amountCents: Number(r.amountCents),
      balanceAfterCents: Number(r.balanceAfterCents),
      occurredAt: r.occurredAt.toISOString(),
      // The opening deposit is written by the opening command, at the same instant, right after AccountOpened.
      opening: r.kind === 'deposit' && r.version === 2 && r.occurredAt.getTime() === opened,
      counterparty: r.counterpartyId ? (names.get(r.counterpartyId) ?? GONE) : null,
      reference: r.reference,
      unseen: isUnseen(r.kind, r.version, options.seenVersion ?? null),
    })),
    olderBefore: rows.length > limit ? page.at(-1)!.version : null,
  };
}

/** The other side of a transfer as `viewerId`'s history names it (as a page of it would read it back). */
export async function counterpartyFor(accountId: string, viewerId: string): Promise<Counterparty> {
  const names = await counterparties(await readDb(), [accountId], viewerId);
  return names.get(accountId) ?? GONE;
}

async function counterparties(reader: Db, accountIds: string[], viewerId: string): Promise<Map<string, Counterparty>> {
  if (accountIds.length === 0) return new Map();
  const rows = await reader.$queryRaw<
    { accountId: string; customerId: string | null; owner: string; holder: string | null }[]
  >`
    SELECT b.account_id::text AS "accountId", b.customer_id AS "customerId", b.owner, u.name AS holder
      FROM account_balances b LEFT JOIN users u ON u.id = b.customer_id
     WHERE b.account_id = ANY(${[...new Set(accountIds)]}::uuid[])`;
  return new Map(
    rows.map((r) => [
      r.accountId,
      r.customerId !== null && r.customerId === viewerId
        ? { name: r.owner, ownAccountId: r.accountId }
        : { name: maskName(r.holder ?? r.owner), ownAccountId: null },
    ]),
  );
}

/**
 * The stream version each command wrote last in this account: the row it wrote in the account's
 * history has that version. Read through the events' index of their command's key: the history has no index on
 * command ids, so asking it read every row of the account, a long-lived account's whole history, on
 * every transfer confirmation and every render of a page with a paid standing order.
 */
export const VERSIONS_WRITTEN_BY = `SELECT ids.id AS "commandId", max(e.version)::int AS version
  FROM unnest($1::text[]) AS ids(id) JOIN events e ON e.command_key = idem_command_key(ids.id)
  WHERE e.stream_id = $2::text GROUP BY ids.id`;

export async function versionsWrittenBy(accountId: string, commandIds: string[]): Promise<Map<string, number>> {
  if (commandIds.length === 0) return new Map();
  const { rows } = await poolOf(db()).query<{ commandId: string; version: number }>(VERSIONS_WRITTEN_BY, [
    commandIds,
    accountStreamId(accountId as AccountId),
  ]);
  return new Map(rows.map((r) => [r.commandId, r.version]));
}

/** The stream version of the row a command wrote in this account (to point at it after the command). */
export async function versionWrittenBy(accountId: string, commandId: string): Promise<number | null> {
  return (await versionsWrittenBy(accountId, [commandId])).get(commandId) ?? null;
}
