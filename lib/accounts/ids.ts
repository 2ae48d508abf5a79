import { randomUUID } from 'node:crypto';
import type { Sql } from '@/lib/db/prisma';
import type { AccountId } from '@/lib/accounts/domain/account-id';

/** Ids the server makes (the domain never does): a new account's id is a lower-case UUID. */
export const newAccountId = (): AccountId => randomUUID() as AccountId;

/**
 * Idempotency keys belong to their customer: the engine's command id is "<customer id>:<key>", so two
 * customers' `order-42` are two commands and neither can see or squat the other's. Commands from
 * before customers existed keep their bare ids (a namespace of their own).
 */
export const scopedCommandId = (customerId: string, key: string): string => `${customerId}:${key}`;

/** The body of the next account number (the domain adds the check digit). */
export async function nextAccountNumberBody(db: Sql): Promise<bigint> {
  const rows = await db.$queryRaw<{ body: bigint }[]>`SELECT nextval('account_numbers') AS body`;
  return BigInt(rows[0]!.body);
}
