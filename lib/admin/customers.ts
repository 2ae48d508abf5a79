import 'server-only';
import { textProblem, textProblemMessage } from '@/lib/text/plain-text';
import { auth } from '@/lib/auth/auth';
import type { Customer } from '@/lib/auth/customer';
import { recordAdminAction } from '@/lib/admin/audit-log';
import { db } from '@/lib/db/prisma';
import { COUNT_CAP } from './log-queries';

// The ops console's customers: search, their accounts, and disabling one. Disabling is better-auth's
// ban (the flag every request checks, and every session row deleted) plus every API key of theirs
// switched off, in that order: the ban alone already refuses them everywhere, the keys follow.
// Nothing is deleted: accounts, events and key rows stay; "Enable" lifts the ban, and the customer
// signs in again and makes new keys (revoked keys stay revoked, like the sessions).

type CustomerAccount = { accountId: string; accountNumber: string; owner: string; balanceCents: number };
export type CustomerRow = {
  id: string;
  name: string;
  email: string;
  admin: boolean;
  disabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  accounts: CustomerAccount[];
  /** All of the customer's accounts; `accounts` holds at most ACCOUNTS_PER_CUSTOMER of them. */
  accountCount: number;
  sessions: number;
  apiKeys: { active: number; revoked: number };
};

const CUSTOMERS_PER_PAGE = 50;
/** Accounts listed per customer on a page (a customer may open any number): the oldest ones. */
export const ACCOUNTS_PER_CUSTOMER = 20;
const DISABLED_REASON = 'Disabled by an administrator';

type UserRow = {
  id: string;
  name: string;
  email: string;
  role: string | null;
  banned: boolean | null;
  banReason: string | null;
  createdAt: Date;
};

const isAdmin = (role: string | null) => (role ?? '').split(',').some((r) => r.trim() === 'admin');

/** Customers whose name or email contains `query` (any case), or who own the account number given. */
export async function searchCustomers(
  query: string,
  limit = CUSTOMERS_PER_PAGE,
): Promise<{ customers: CustomerRow[]; matching: number; problem?: string }> {
  const text = query.trim().slice(0, 200);
  // Refused before PostgreSQL (which cannot even compare text with a NUL): nothing is searched.
  const refused = textProblem(text);
  if (refused) return { customers: [], matching: 0, problem: textProblemMessage('A search cannot contain', refused) };
  const pattern = `%${text.replace(/[\\%_]/g, '\\$&')}%`;
  const digits = /^[\d ]{12,20}$/.test(text) ? text.replaceAll(' ', '') : '';
  const matches = (
    alias: string,
  ) => `($1 = '' OR ${alias}.name ILIKE $2 ESCAPE '\\' OR ${alias}.email ILIKE $2 ESCAPE '\\'
       OR EXISTS (SELECT 1 FROM account_balances b WHERE b.customer_id = ${alias}.id AND b.account_number = $3))`;
  const users = await db().$queryRawUnsafe<UserRow[]>(
    `SELECT u.id, u.name, u.email, u.role, u.banned, u.ban_reason AS "banReason", u.created_at AS "createdAt"
       FROM users u WHERE ${matches('u')} ORDER BY u.created_at DESC, u.id LIMIT $4`,
    text,
    pattern,
    digits,
    limit,
  );
  const counted = await db().$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM users u WHERE ${matches('u')} LIMIT $4) m`,
    text,
    pattern,
    digits,
    COUNT_CAP + 1,
  );
  const ids = users.map((u) => u.id);
  const [accounts, keys, sessions] = await Promise.all([
    db().$queryRaw<
      (Omit<CustomerAccount, 'balanceCents'> & { customerId: string; balanceCents: bigint; total: number })[]
    >`
      SELECT "customerId", "accountId", "accountNumber", owner, "balanceCents", total FROM (
        SELECT b.customer_id AS "customerId", b.account_id::text AS "accountId", b.account_number AS "accountNumber", b.owner,
               b.balance_cents AS "balanceCents", count(*) OVER w_all::int AS total, row_number() OVER w AS n
          FROM account_balances b WHERE b.customer_id = ANY(${ids}::text[])
        WINDOW w AS (PARTITION BY b.customer_id ORDER BY b.opened_at, b.account_id), w_all AS (PARTITION BY b.customer_id)
      ) ranked WHERE n <= ${ACCOUNTS_PER_CUSTOMER} ORDER BY "customerId", n`,
    db().apiKey.groupBy({
      by: ['referenceId', 'enabled'],
      where: { referenceId: { in: ids } },
      _count: { _all: true },
    }),
    db().session.groupBy({
      by: ['userId'],
      where: { userId: { in: ids }, expiresAt: { gt: new Date() } },
      _count: { _all: true },
    }),
  ]);
  const customers = users.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    admin: isAdmin(u.role),
    disabled: u.banned === true,
    disabledReason: u.banned ? u.banReason : null,
    createdAt: u.createdAt,
    accounts: accounts
      .filter((a) => a.customerId === u.id)
      .map((a) => ({
        accountId: a.accountId,
        accountNumber: a.accountNumber,
        owner: a.owner,
        balanceCents: Number(a.balanceCents),
      })),
    accountCount: accounts.find((a) => a.customerId === u.id)?.total ?? 0,
    sessions: sessions.find((s) => s.userId === u.id)?._count._all ?? 0,
    apiKeys: {
      active: keys.filter((k) => k.referenceId === u.id && k.enabled !== false).reduce((n, k) => n + k._count._all, 0),
      revoked: keys.filter((k) => k.referenceId === u.id && k.enabled === false).reduce((n, k) => n + k._count._all, 0),
    },
  }));
  return { customers, matching: counted[0]!.n };
}

export type ToggleOutcome = { ok: boolean; message: string };

/** Disables a customer: sessions revoked, API keys switched off, every request refused from now on. */
export async function disableCustomer(userId: string, admin: Customer, adminHeaders: Headers): Promise<ToggleOutcome> {
  if (userId === admin.id) return { ok: false, message: 'You cannot disable yourself: ask another administrator.' };
  const user = await db().user.findUnique({ where: { id: userId }, select: { name: true } });
  if (!user) return { ok: false, message: 'There is no such customer (it may have been removed by other tooling).' };
  const sessions = await db().session.count({ where: { userId } });
  await auth().api.banUser({ body: { userId, banReason: DISABLED_REASON }, headers: adminHeaders });
  const keys = await db().apiKey.updateMany({
    where: { referenceId: userId, OR: [{ enabled: true }, { enabled: null }] },
    data: { enabled: false },
  });
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  await recordAdminAction(
    admin,
    'customer.disable',
    userId,
    `${user.name}: ${plural(sessions, 'session')} and ${plural(keys.count, 'API key')} revoked`,
  );
  return {
    ok: true,
    message: `Disabled ${user.name}: ${plural(sessions, 'session')} and ${plural(keys.count, 'API key')} revoked. Nothing was deleted.`,
  };
}

/** Lifts the ban: the customer can sign in again (and create new API keys). */
export async function enableCustomer(userId: string, admin: Customer, adminHeaders: Headers): Promise<ToggleOutcome> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { name: true } });
  if (!user) return { ok: false, message: 'There is no such customer (it may have been removed by other tooling).' };
  await auth().api.unbanUser({ body: { userId }, headers: adminHeaders });
  await recordAdminAction(admin, 'customer.enable', userId, user.name);
  return {
    ok: true,
    message: `Enabled ${user.name}: they can sign in again. API keys revoked while disabled stay revoked; they can create new ones.`,
  };
}
