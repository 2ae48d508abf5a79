// The event every contender appends: a MoneyDeposited of Idem's current shape (schema v2), so all
// three write rows of the same size.
import { randomUUID } from 'node:crypto';

export const BENCH_AMOUNT_CENTS = 1;

export function depositedData(accountId: string, balanceAfterCents: number, at: string) {
  return { accountId, amountCents: BENCH_AMOUNT_CENTS, currency: 'USD', balanceAfterCents, depositedAt: at };
}

export function depositMetadata(commandId: string) {
  return { commandId, commandType: 'DepositMoney', causationId: commandId, correlationId: commandId, schemaVersion: 2 };
}

export const newId = () => randomUUID();
