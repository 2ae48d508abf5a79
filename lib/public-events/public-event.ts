// The public event schema: what leaves the building (webhooks, the JetStream relay, the live feed).
//
// It is a contract with other systems, versioned on its own (`schemaVersion` in `data`), and
// deliberately not the internal event JSON: amounts are decimal strings, accounts are named by their
// number, and an event says only what its account's owner may know. A transfer's other side appears
// as a masked name and an account number, nothing more; a command id appears only when the owner
// issued the command (a received transfer was someone else's command). Pure: the caller supplies the
// account directory it needs (see ./account-directory.ts).
import { upcastRow } from '@/lib/accounts/domain/upcast';
import { formatDecimal } from '@/lib/domain/money';
import { maskName } from '@/lib/domain/mask-name';
import type { LogEvent } from '@/lib/projections/global-log';

/** Bump on a breaking change of `data`; additive fields keep the version. */
export const PUBLIC_EVENT_SCHEMA_VERSION = 1 as const;

export const PUBLIC_EVENT_TYPES = [
  'account.opened',
  'money.deposited',
  'money.withdrawn',
  'transfer.sent',
  'transfer.received',
] as const;
export type PublicEventType = (typeof PUBLIC_EVENT_TYPES)[number];

const TYPE_OF: Record<string, PublicEventType> = {
  AccountOpened: 'account.opened',
  MoneyDeposited: 'money.deposited',
  MoneyWithdrawn: 'money.withdrawn',
  MoneyTransferredOut: 'transfer.sent',
  MoneyTransferredIn: 'transfer.received',
};

/** The other side of a transfer, as much as the owner may see of it. */
export type Counterparty = { name: string; accountNumber: string };

type PublicEventData = {
  schemaVersion: typeof PUBLIC_EVENT_SCHEMA_VERSION;
  /** Stable across retries, replays and relays: the stream and its version (see `publicEventId`). */
  eventId: string;
  accountId: string;
  accountNumber: string;
  /** The account stream's version this event is. */
  version: number;
  /** Decimal string, 2 places ("12.50"); "0.00" for account.opened. */
  amount: string;
  /** The balance after this event, decimal string with 2 places. */
  balance: string;
  currency: 'USD';
  /** ISO 8601 time of the event. */
  at: string;
  /** The command that caused it, only when the account's owner issued it. */
  commandId?: string;
  /** transfer.sent / transfer.received: the transfer's id (the same on both sides). */
  transferId?: string;
  /** transfer.sent: the recipient (masked name and number). */
  to?: Counterparty;
  /** transfer.received: the sender (masked name and number). */
  from?: Counterparty;
  /** transfer.*: the payment reference the sender gave, if any. */
  reference?: string;
};

/** The body of a webhook delivery or a relayed message (Standard Webhooks' `{type, timestamp, data}`). */
export type PublicEvent = { type: PublicEventType; timestamp: string; data: PublicEventData };

/** What the mapping needs to know of an account. */
export type DirectoryEntry = { accountNumber: string; owner: string; customerId: string | null };
export type AccountDirectory = ReadonlyMap<string, DirectoryEntry>;

/** A logged event as read from the store (the global log's row shape, or a loaded stream's). */
export type LoggedEvent = Pick<LogEvent, 'streamId' | 'version' | 'type' | 'commandId' | 'createdAt'> & {
  data: unknown;
  metadata: unknown;
};

/** `evt_<stream id>_<version>`: one id per event, whoever reads it and however often. */
export const publicEventId = (streamId: string, version: number): string => `evt_${streamId}_${version}`;

export const isPublicEventType = (type: string): type is PublicEventType =>
  (PUBLIC_EVENT_TYPES as readonly string[]).includes(type);

/** The public type of an internal event type, or null for events that are not published. */
export const publicTypeOf = (internalType: string): PublicEventType | null => TYPE_OF[internalType] ?? null;

/**
 * The account ids an event's mapping needs from the directory (its own, and a transfer's other
 * side). Its own is its stream's: the stored data leaves it out when it is (storedDataOf).
 */
export function accountIdsOf(event: Pick<LoggedEvent, 'type' | 'data' | 'streamId'>): string[] {
  if (!publicTypeOf(event.type)) return [];
  const data = event.data as { accountId?: unknown; toAccountId?: unknown; fromAccountId?: unknown };
  const own =
    data.accountId ?? (event.streamId.startsWith('account-') ? event.streamId.slice('account-'.length) : null);
  return [own, data.toAccountId, data.fromAccountId].filter((id): id is string => typeof id === 'string');
}

function counterparty(directory: AccountDirectory, accountId: string): Counterparty {
  const entry = directory.get(accountId);
  if (!entry) throw new Error(`Account ${accountId} is missing from the directory`);
  return { name: maskName(entry.owner), accountNumber: entry.accountNumber };
}

/**
 * The public form of one logged event, or null when the event is not published (a type of another
 * aggregate that has no public form yet). Throws when the directory lacks an account it needs: the
 * caller loads the directory with `accountIdsOf` first.
 */
export function toPublicEvent(event: LoggedEvent, directory: AccountDirectory): PublicEvent | null {
  const type = publicTypeOf(event.type);
  if (!type) return null;
  const internal = upcastRow({ ...event, createdAt: new Date(event.createdAt) });
  const accountId = internal.data.accountId;
  const own = directory.get(accountId);
  if (!own) throw new Error(`Account ${accountId} is missing from the directory`);
  const base = {
    schemaVersion: PUBLIC_EVENT_SCHEMA_VERSION,
    eventId: publicEventId(event.streamId, event.version),
    accountId,
    accountNumber: own.accountNumber,
    version: event.version,
    currency: 'USD' as const,
    at: event.createdAt.toISOString(),
  };
  const reference = (internal.data as { reference?: unknown }).reference;
  const withReference = typeof reference === 'string' && reference !== '' ? { reference } : {};
  const moved = (amountCents: number, balanceAfterCents: number) => ({
    amount: formatDecimal(amountCents),
    balance: formatDecimal(balanceAfterCents),
  });
  const ownCommand = { commandId: event.commandId };
  let data: PublicEventData;
  switch (internal.type) {
    case 'AccountOpened':
      data = { ...base, ...moved(0, 0), ...ownCommand };
      break;
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
      data = { ...base, ...moved(internal.data.amountCents, internal.data.balanceAfterCents), ...ownCommand };
      break;
    case 'MoneyTransferredOut': {
      const { amountCents, balanceAfterCents, transferId, toAccountId } = internal.data;
      const to = counterparty(directory, toAccountId);
      data = { ...base, ...moved(amountCents, balanceAfterCents), ...ownCommand, transferId, to, ...withReference };
      break;
    }
    case 'MoneyTransferredIn': {
      const { amountCents, balanceAfterCents, transferId, fromAccountId } = internal.data;
      const sender = directory.get(fromAccountId);
      // A received transfer was the sender's command: its id is shown only when the sender is the owner.
      const sameOwner = sender !== undefined && sender.customerId !== null && sender.customerId === own.customerId;
      const from = counterparty(directory, fromAccountId);
      data = {
        ...base,
        ...moved(amountCents, balanceAfterCents),
        ...(sameOwner ? ownCommand : {}),
        transferId,
        from,
        ...withReference,
      };
      break;
    }
  }
  return { type, timestamp: event.createdAt.toISOString(), data };
}
