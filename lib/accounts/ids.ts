import { randomUUID } from 'node:crypto';
import type { AccountId } from '@/lib/domain/account-id';

/** Ids the server makes (the domain never does): a new account's id is a lower-case UUID. */
export const newAccountId = (): AccountId => randomUUID() as AccountId;
