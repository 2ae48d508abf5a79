import 'server-only';
import { db as defaultDb } from '@/lib/db/prisma';
import type { TransferMoney } from '@/lib/accounts/domain/transfer';
import {
  consumeInboundTransfer,
  countInboundTransfer,
  inboundTransfersUsedUp,
  type InboundTransfer,
  type Refusal,
} from '@/lib/http/api-limits';
import type { HandleOptions } from './account-commands';
import { handleTransfer, type TransferCommandResult } from './transfer-command';

/** Refused before the engine: this customer has sent the recipient account its hourly share of transfers. */
export type InboundLimited = { status: 'inbound-limited'; perHour: number; retryAfterSeconds: number };

/**
 * A customer's transfer, the one path of the API and the forms (lint keeps app/ off handleTransfer).
 * Before the engine: at most IDEM_INBOUND_TRANSFERS_PER_HOUR new transfers from one customer into one
 * account, so that a flood of 1¢ transfers cannot make someone's stream hot or fill their history.
 * Nothing is recorded for a refusal (the same key can be sent again later); a command already
 * stored is replayed as ever. The engine knows nothing of this rule.
 */
export const submitTransfer = (command: TransferMoney, options: HandleOptions = {}) =>
  submit(command, options, consumeInboundTransfer, false);

/**
 * A standing order's payment: the customer's transfer under the same hourly limit, counted by what
 * is recorded. Several instances may try the same payment at once (the engine records it once), so
 * before the engine the hour is only looked at, and the one attempt whose command is recorded now
 * counts it. Concurrent payments of one customer into one account may pass the look together: the
 * limit can be overshot by the payments in flight at once (at most one per instance).
 */
export const submitScheduledTransfer = (command: TransferMoney, options: HandleOptions = {}) =>
  submit(command, options, inboundTransfersUsedUp, true);

async function submit(
  command: TransferMoney,
  options: HandleOptions,
  limit: (transfer: InboundTransfer) => Promise<(Refusal & { perHour: number }) | null>,
  countRecorded: boolean,
): Promise<TransferCommandResult | InboundLimited> {
  const db = options.db ?? defaultDb();
  const { data, metadata } = command;
  const inbound = {
    client: db,
    customerId: metadata.customerId,
    toAccountId: data.toAccountId,
    commandId: metadata.commandId,
  };
  const limited = await limit(inbound);
  if (limited)
    return { status: 'inbound-limited', perHour: limited.perHour, retryAfterSeconds: limited.retryAfterSeconds };
  const outcome = await handleTransfer(command, { ...options, db });
  if (countRecorded && outcome.status === 'accepted' && !outcome.replayed) await countInboundTransfer(inbound);
  return outcome;
}

/** "This account can receive at most 20 transfers an hour from you." */
export const inboundLimitText = (perHour: number) =>
  `This account can receive at most ${perHour} transfer${perHour === 1 ? '' : 's'} an hour from you.`;
