import 'server-only';
import { db } from '@/lib/db/prisma';

// What a customer has seen of their accounts. Incoming money (a transfer from someone else's
// command) written after the version the owner last saw is "New" in the history, and counted on the
// accounts list. Seeing is viewing the account page's newest transactions: the page reads the mark,
// renders, then moves it to the version it showed. It never moves back, whatever order two tabs
// record it in.

/** The version this customer last saw of the account; 0 if they never opened its page. */
export async function seenVersion(customerId: string, accountId: string): Promise<number> {
  const row = await db().accountSeen.findUnique({
    where: { customerId_accountId: { customerId, accountId } },
    select: { seenVersion: true },
  });
  return row?.seenVersion ?? 0;
}

/** Records that the customer has seen the account up to `version` (a no-op for an older version). */
export async function markSeen(customerId: string, accountId: string, version: number): Promise<void> {
  await db().$executeRaw`
    INSERT INTO account_seen (customer_id, account_id, seen_version, seen_at)
    VALUES (${customerId}, ${accountId}::uuid, ${version}, now())
    ON CONFLICT (customer_id, account_id) DO UPDATE
       SET seen_version = EXCLUDED.seen_version, seen_at = EXCLUDED.seen_at
     WHERE account_seen.seen_version < EXCLUDED.seen_version`;
}

/** How many unseen incoming movements each of the customer's accounts has (accounts with none are absent). */
export async function unseenCounts(customerId: string): Promise<Map<string, number>> {
  const rows = await db().$queryRaw<{ accountId: string; count: bigint }[]>`
    SELECT t.account_id::text AS "accountId", count(*) AS count
      FROM account_balances b
      JOIN account_transactions t ON t.account_id = b.account_id AND t.kind = 'transfer-in'
      LEFT JOIN account_seen s ON s.customer_id = b.customer_id AND s.account_id = b.account_id
     WHERE b.customer_id = ${customerId} AND t.version > coalesce(s.seen_version, 0)
     GROUP BY t.account_id`;
  return new Map(rows.map((r) => [r.accountId, Number(r.count)]));
}
