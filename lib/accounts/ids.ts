import { randomInt, randomUUID } from 'node:crypto';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { accountNumberOf, type AccountNumber } from '@/lib/accounts/domain/account-number';

/** Ids the server makes (the domain never does): a new account's id is a lower-case UUID. */
export const newAccountId = (): AccountId => randomUUID() as AccountId;

/**
 * Idempotency keys belong to their customer: the engine's command id is "<customer id>:<key>", so two
 * customers' `order-42` are two commands and neither can see or squat the other's. Commands from
 * before customers existed keep their bare ids (a namespace of their own).
 */
export const scopedCommandId = (customerId: string, key: string): string => `${customerId}:${key}`;

/**
 * A new account's number: a random body of 11 digits in 1xxxxxxxxxx–8xxxxxxxxxx (9… is for accounts
 * opened before numbers existed) with its check digit. Random, not from a sequence: consecutive
 * numbers let anyone who knows one number walk through every other customer's. A collision (1 in
 * ~10^10 per existing account) is caught by the unique constraint and retried (lib/accounts/open-account.ts).
 */
export const randomAccountNumber = (): AccountNumber => accountNumberOf(randomInt(10_000_000_000, 90_000_000_000));
