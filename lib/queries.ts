import 'server-only';
import { db } from '@/lib/db/prisma';
import { ACCOUNT_EVENT_TYPES } from '@/lib/domain/account';
import { isAccountId } from '@/lib/forms/schemas';

// Read side: pages read projections (and the admin page reads the log), never rehydrate.

const toCents = (value: bigint) => Number(value);

export async function listAccounts(limit = 100) {
  const rows = await db().accountBalance.findMany({ orderBy: [{ openedAt: 'desc' }, { accountId: 'asc' }], take: limit });
  return rows.map((r) => ({ ...r, balanceCents: toCents(r.balanceCents) }));
}

export async function getAccount(accountId: string) {
  if (!isAccountId(accountId)) return null;
  const row = await db().accountBalance.findUnique({ where: { accountId: accountId.toLowerCase() } });
  return row && { ...row, balanceCents: toCents(row.balanceCents) };
}

export async function recentTransactions(accountId: string, limit = 20) {
  const rows = await db().accountTransaction.findMany({ where: { accountId: accountId.toLowerCase() }, orderBy: { version: 'desc' }, take: limit });
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
export async function transferTargets(accountId: string, limit = 500) {
  return db().accountBalance.findMany({
    where: { accountId: { not: accountId.toLowerCase() } },
    select: { accountId: true, owner: true },
    orderBy: [{ openedAt: 'desc' }, { accountId: 'asc' }],
    take: limit,
  });
}

export type EventPage = Awaited<ReturnType<typeof listEvents>>;
export type EventFilter = { stream?: string; type?: string; commandId?: string; from?: Date; to?: Date };

/**
 * The global log, newest first, one page at a time. The cursor is the global position: `before`
 * pages towards older events, `after` towards newer ones; filters narrow by stream, type, command id
 * and time (`from`/`to` inclusive).
 */
export async function listEvents(query: EventFilter & { before?: bigint; after?: bigint; limit?: number }) {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const where = {
    ...(query.stream ? { streamId: query.stream } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.commandId ? { commandId: query.commandId } : {}),
    ...(query.from || query.to ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } } : {}),
  };
  const towardsNewer = query.after !== undefined && query.before === undefined;
  const rows = await db().event.findMany({
    where: {
      ...where,
      ...(towardsNewer ? { globalPosition: { gt: query.after } } : query.before !== undefined ? { globalPosition: { lt: query.before } } : {}),
    },
    orderBy: { globalPosition: towardsNewer ? 'asc' : 'desc' },
    take: limit + 1,
  });
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (towardsNewer) page.reverse();
  const first = page[0]?.globalPosition;
  const last = page.at(-1)?.globalPosition;
  const [newer, older] = await Promise.all([
    first === undefined ? 0 : towardsNewer ? (more ? 1 : 0) : db().event.count({ where: { ...where, globalPosition: { gt: first } }, take: 1 }),
    last === undefined ? 0 : !towardsNewer ? (more ? 1 : 0) : db().event.count({ where: { ...where, globalPosition: { lt: last } }, take: 1 }),
  ]);
  return { events: page, newerCursor: newer > 0 ? first : undefined, olderCursor: older > 0 ? last : undefined };
}

/** The event types the domain can write, for the admin filter (no scan of the log needed). */
export const EVENT_TYPES = ACCOUNT_EVENT_TYPES;
