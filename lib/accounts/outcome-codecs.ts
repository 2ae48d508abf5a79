import type { AccountResult, TransferResult } from './results';
import { evolve, initialState, type Account, type AccountRejection } from '@/lib/accounts/domain/account';
import { upcastRow } from '@/lib/accounts/domain/upcast';
import type { Cents } from '@/lib/domain/money';
import type { LoadedStream, OutcomeCodec, StoredOutcome } from '@/lib/event-store';

// What the command log stores of an accepted account command's outcome: its values in a fixed
// order, without the keys, without the account ids its streams already name, and without what the
// account itself says for good from the moment it is opened: its number and its holder
// (decisions 014 and 018; bench/RESULTS.md §7). A deposit or a withdrawal stores three numbers
// (about 40 bytes; 234 as a keyed object); an opening keeps the number and holder (see below).
// Rejections are stored as they are (rarer, and of many shapes). The engine decodes on every
// replay, with the command's streams as it has just loaded them; the admin console and the ledger
// checker with the accounts they read: all get back exactly the outcome the first answer was made
// from. Rows written before store the number and the holder: they decode as they are.

const STREAM_PREFIX = 'account-';

function accountIdOf(streamId: string | undefined): string {
  if (!streamId?.startsWith(STREAM_PREFIX)) throw new Error(`Not an account stream: ${streamId}`);
  return streamId.slice(STREAM_PREFIX.length);
}

/** What an accepted outcome takes from its account instead of storing it: fixed when it is opened. */
export type AccountFacts = { accountNumber: string; owner: string };
/** The facts of an account by its id; undefined when there is no such account. */
export type AccountFactsOf = (accountId: string) => AccountFacts | undefined;

/** The facts of the accounts among a command's streams as the engine loaded them. */
function factsOfLoaded(streams: ReadonlyMap<string, LoadedStream>): AccountFactsOf {
  return (accountId) => {
    const stream = streams.get(`${STREAM_PREFIX}${accountId}`);
    // The account as loaded: its snapshot, then its events after it (as lib/accounts/stream.ts rehydrateLoaded).
    const account = stream?.events
      .map(upcastRow)
      .reduce(evolve, (stream.snapshot?.state as Account | undefined) ?? initialState());
    return account?.status === 'open' ? { accountNumber: account.accountNumber, owner: account.owner } : undefined;
  };
}

function factsOf(accountOf: AccountFactsOf, accountId: string): AccountFacts {
  const facts = accountOf(accountId);
  if (!facts) throw new Error(`A stored outcome of account ${accountId}, which was never opened`);
  return facts;
}

type Types = readonly ('number' | 'string')[];
/** The stored values, if they have one of these shapes (`optionalString`: one more, a string, may follow). */
function shaped(stored: unknown[], types: Types, optionalString = false): boolean {
  const withOptional = optionalString && stored.length === types.length + 1 && typeof stored.at(-1) === 'string';
  return (stored.length === types.length || withOptional) && types.every((t, i) => typeof stored[i] === t);
}

const unknownShape = (what: string, stored: unknown) =>
  new Error(`A stored ${what} outcome of an unknown shape: ${JSON.stringify(stored).slice(0, 200)}`);

/** Open, deposit, withdraw: [amountCents, balanceCents, version] (before: with accountNumber, owner after them). */
function decodeAccount(
  stored: unknown,
  streamIds: string[],
  accountOf: AccountFactsOf,
): StoredOutcome<AccountResult, AccountRejection> {
  if (!Array.isArray(stored)) return stored as StoredOutcome<AccountResult, AccountRejection>;
  const lean = shaped(stored, ['number', 'number', 'number']);
  if (!lean && !shaped(stored, ['number', 'number', 'number', 'string', 'string']))
    throw unknownShape('account command', stored);
  const [amountCents, balanceCents, version, accountNumber, owner] = stored as [number, number, number, string, string];
  const accountId = accountIdOf(streamIds[0]);
  const facts = lean ? factsOf(accountOf, accountId) : { accountNumber, owner };
  return {
    status: 'accepted',
    result: {
      accountId,
      accountNumber: facts.accountNumber,
      owner: facts.owner,
      amountCents: amountCents as Cents,
      balanceCents: balanceCents as Cents,
      version,
    },
  };
}

/** Deposits and withdrawals: [amountCents, balanceCents, version]. */
export const accountOutcomeCodec: OutcomeCodec<AccountResult, AccountRejection> = {
  encode: (outcome) =>
    outcome.status === 'accepted'
      ? [outcome.result.amountCents, outcome.result.balanceCents, outcome.result.version]
      : outcome,
  decode: (stored, { streamIds }, streams) => decodeAccount(stored, streamIds, factsOfLoaded(streams)),
};

/**
 * Opening: [amountCents, balanceCents, version, accountNumber, owner]. Its retry names no account
 * (the server picks a new id for every request), so the account a replay must answer with is not
 * among the retry's streams: the outcome keeps what it needs. One per account.
 */
export const openAccountOutcomeCodec: OutcomeCodec<AccountResult, AccountRejection> = {
  encode: (outcome) =>
    outcome.status === 'accepted'
      ? [
          outcome.result.amountCents,
          outcome.result.balanceCents,
          outcome.result.version,
          outcome.result.accountNumber,
          outcome.result.owner,
        ]
      : outcome,
  decode: accountOutcomeCodec.decode,
};

/**
 * Transfers: [transferId, amountCents, fromBalanceCents, toBalanceCents, reference?]; the accounts
 * are the command's two streams, sender first, the destination's number its account's (before: the
 * number stored after the transfer id).
 */
function decodeTransfer(
  stored: unknown,
  streamIds: string[],
  accountOf: AccountFactsOf,
): StoredOutcome<TransferResult, AccountRejection> {
  if (!Array.isArray(stored)) return stored as StoredOutcome<TransferResult, AccountRejection>;
  const lean = shaped(stored, ['string', 'number', 'number', 'number'], true);
  if (!lean && !shaped(stored, ['string', 'string', 'number', 'number', 'number'], true))
    throw unknownShape('transfer', stored);
  const [transferId, ...rest] = stored as [string, ...unknown[]];
  const toAccountId = accountIdOf(streamIds[1]);
  const [toAccountNumber, amountCents, fromBalanceCents, toBalanceCents, reference] = (
    lean ? [factsOf(accountOf, toAccountId).accountNumber, ...rest] : rest
  ) as [string, number, number, number, string | undefined];
  return {
    status: 'accepted',
    result: {
      transferId,
      fromAccountId: accountIdOf(streamIds[0]),
      toAccountId,
      toAccountNumber,
      amountCents: amountCents as Cents,
      fromBalanceCents: fromBalanceCents as Cents,
      toBalanceCents: toBalanceCents as Cents,
      ...(reference === undefined ? {} : { reference }),
    },
  };
}

export const transferOutcomeCodec: OutcomeCodec<TransferResult, AccountRejection> = {
  encode(outcome) {
    if (outcome.status !== 'accepted') return outcome;
    const r = outcome.result;
    const stored: unknown[] = [r.transferId, r.amountCents, r.fromBalanceCents, r.toBalanceCents];
    return r.reference === undefined ? stored : [...stored, r.reference];
  },
  decode: (stored, { streamIds }, streams) => decodeTransfer(stored, streamIds, factsOfLoaded(streams)),
};

const DECODERS: Record<string, (stored: unknown, streamIds: string[], accountOf: AccountFactsOf) => unknown> = {
  OpenAccount: decodeAccount,
  DepositMoney: decodeAccount,
  WithdrawMoney: decodeAccount,
  TransferMoney: decodeTransfer,
};

/** The account commands (their streams are `account-<id>`), whose readers need `AccountFactsOf`. */
export const isAccountCommandType = (type: string): boolean => type in DECODERS;

/**
 * A command row's outcome as its replays answer it, for readers of the command log (the console,
 * the ledger checker), with the facts of the accounts it names.
 */
export function outcomeOfCommand(
  command: { type: string; streamIds: string[]; outcome: unknown },
  accountOf: AccountFactsOf,
): unknown {
  const decode = DECODERS[command.type];
  return decode ? decode(command.outcome, command.streamIds, accountOf) : command.outcome;
}
