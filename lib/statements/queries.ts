// What Idem's account page reads of the statements consumer's schema: the months of one account,
// their figures, the movements of one month (CSV), and how far behind the ledger the consumer is.
// The schema is the consumer's; before it first ran there is nothing to show.
import 'server-only';
import { db } from '@/lib/db/prisma';
import { loadConfig } from '@/lib/config';
import { singleton } from '@/lib/singleton';

export type StatementSummary = {
  month: string;
  openingCents: number;
  creditsCents: number;
  debitsCents: number;
  closingCents: number;
  movementCount: number;
};

export type StatementMovement = {
  at: Date;
  kind: string;
  amountCents: number;
  balanceAfterCents: number;
  counterparty: string | null;
  reference: string | null;
};

/** `YYYY-MM` */
export const isMonth = (value: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(value);

async function available(): Promise<boolean> {
  // Once there, the consumer's schema stays: asked until it is found, then remembered (every
  // account page renders this section).
  const seen = singleton('statements.available', () => new Set<string>());
  const database = loadConfig().DATABASE_URL ?? '';
  if (seen.has(database)) return true;
  const rows = await db().$queryRaw<{ ok: boolean }[]>`
    SELECT to_regclass('statements.monthly_statements') IS NOT NULL
       AND has_table_privilege(current_user, 'statements.monthly_statements', 'SELECT') AS ok`;
  const ok = rows[0]?.ok === true;
  if (ok) seen.add(database);
  return ok;
}

/** The account's statements, newest month first, and the account version the consumer has reached (null: none). */
export async function listStatements(
  accountId: string,
): Promise<{ statements: StatementSummary[]; appliedVersion: number | null } | null> {
  if (!(await available())) return null;
  const rows = await db().$queryRaw<
    { month: string; opening: bigint; credits: bigint; debits: bigint; closing: bigint; count: number }[]
  >`SELECT month, opening_cents AS opening, credits_cents AS credits, debits_cents AS debits, closing_cents AS closing,
           movement_count AS count
      FROM statements.monthly_statements WHERE account_id = ${accountId}::uuid ORDER BY month DESC`;
  const applied = await db().$queryRaw<{ version: number }[]>`
    SELECT last_version AS version FROM statements.accounts WHERE account_id = ${accountId}::uuid`;
  return {
    statements: rows.map((r) => ({
      month: r.month,
      openingCents: Number(r.opening),
      creditsCents: Number(r.credits),
      debitsCents: Number(r.debits),
      closingCents: Number(r.closing),
      movementCount: r.count,
    })),
    appliedVersion: applied[0]?.version ?? null,
  };
}

export async function statementOf(
  accountId: string,
  month: string,
): Promise<{ summary: StatementSummary; movements: StatementMovement[] } | null> {
  const list = await listStatements(accountId);
  const summary = list?.statements.find((s) => s.month === month);
  if (!summary) return null;
  const rows = await db().$queryRaw<
    {
      at: Date;
      kind: string;
      amount: bigint;
      balance: bigint;
      counterparty: string | null;
      reference: string | null;
    }[]
  >`SELECT at, kind, amount_cents AS amount, balance_after_cents AS balance, counterparty, reference
      FROM statements.movements WHERE account_id = ${accountId}::uuid AND month = ${month} ORDER BY version`;
  return {
    summary,
    movements: rows.map((r) => ({
      at: r.at,
      kind: r.kind,
      amountCents: Number(r.amount),
      balanceAfterCents: Number(r.balance),
      counterparty: r.counterparty,
      reference: r.reference,
    })),
  };
}
