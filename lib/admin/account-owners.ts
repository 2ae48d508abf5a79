import 'server-only';
import { db } from '@/lib/db/prisma';
import type { AccountSelector } from '@/lib/admin/event-filters';

// Who an account stream belongs to, for the ops console's log columns: the account number and the
// customer (users joined on account_balances.customer_id). One query per page of rows.

type AccountCustomer = { id: string; name: string; email: string; disabled: boolean };
export type AccountOwner = {
  accountId: string;
  accountNumber: string;
  owner: string;
  balanceCents: number;
  customer: AccountCustomer | null;
};

const ACCOUNT_STREAM = /^account-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The account id of an `account-<uuid>` stream; null for any other stream. */
const accountIdOfStream = (streamId: string): string | null => ACCOUNT_STREAM.exec(streamId)?.[1] ?? null;

type Row = {
  accountId: string;
  accountNumber: string;
  owner: string;
  balanceCents: string;
  userId: string | null;
  name: string | null;
  email: string | null;
  banned: boolean | null;
};

/** Owners of the given streams, by stream id; streams that are not (yet) accounts are left out. */
export async function ownersOfStreams(streamIds: Iterable<string>): Promise<Map<string, AccountOwner>> {
  const ids = [...new Set([...streamIds].map(accountIdOfStream).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<Row[]>`
    SELECT b.account_id::text AS "accountId", b.account_number AS "accountNumber", b.owner, b.balance_cents::text AS "balanceCents",
           u.id AS "userId", u.name, u.email, u.banned
      FROM account_balances b LEFT JOIN users u ON u.id = b.customer_id
     WHERE b.account_id = ANY(${ids}::uuid[])`;
  return new Map(
    rows.map((r) => [
      `account-${r.accountId}`,
      {
        accountId: r.accountId,
        accountNumber: r.accountNumber,
        owner: r.owner,
        balanceCents: Number(r.balanceCents),
        customer: r.userId
          ? { id: r.userId, name: r.name ?? '', email: r.email ?? '', disabled: r.banned === true }
          : null,
      },
    ]),
  );
}

/** The amount a command moved or asked to move, from its stored outcome; null when it names none. */
export function commandAmountCents(outcome: unknown): number | null {
  const o = outcome as {
    result?: { amountCents?: unknown };
    rejection?: { requestedCents?: unknown; amountCents?: unknown };
  } | null;
  const amount = o?.result?.amountCents ?? o?.rejection?.requestedCents ?? o?.rejection?.amountCents;
  return typeof amount === 'number' && Number.isSafeInteger(amount) ? amount : null;
}

/** The amount an event moved; null for events that move none (AccountOpened). */
export function eventAmountCents(data: unknown): number | null {
  const amount = (data as { amountCents?: unknown } | null)?.amountCents;
  return typeof amount === 'number' && Number.isSafeInteger(amount) ? amount : null;
}

/**
 * The streams an "Account" filter names: the stream itself, the account with that number, or every
 * account of the customer with that email (at most 200). An empty list when nothing matches.
 */
export async function streamsOf(selector: AccountSelector): Promise<string[]> {
  if (selector.by === 'stream') return [selector.stream];
  const rows =
    selector.by === 'number'
      ? await db().$queryRaw<{ accountId: string }[]>`
          SELECT account_id::text AS "accountId" FROM account_balances WHERE account_number = ${selector.number}`
      : await db().$queryRaw<{ accountId: string }[]>`
          SELECT b.account_id::text AS "accountId" FROM account_balances b JOIN users u ON u.id = b.customer_id
           WHERE lower(u.email) = ${selector.email} ORDER BY b.opened_at LIMIT 200`;
  return rows.map((r) => `account-${r.accountId}`);
}
