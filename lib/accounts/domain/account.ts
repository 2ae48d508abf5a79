// The account aggregate as a decider: three pure functions over plain data.
// Time and ids arrive on the command; nothing here reads a clock, makes an id or does I/O.
import type { AccountId } from './account-id';
import type { AccountNumber } from './account-number';
import { MAX_AMOUNT_CENTS, type Cents } from '@/lib/domain/money';

export const OWNER_MAX_LENGTH = 80;
/** Keeps every balance a safe integer of cents ($10 trillion), far beyond any real account. */
export const MAX_BALANCE_CENTS: Cents = 1_000_000_000_000_000;

/** Who acts (a customer's user id), when, and under which command id: all arrive on the command. */
export type CommandMetadata = { commandId: string; now: Date; customerId: string };

/** Every ledger amount is in US cents today; events say so, so another currency can come later. */
export type Currency = 'USD';
export const CURRENCY: Currency = 'USD';

export type OpenAccount = {
  type: 'OpenAccount';
  /** `owner` is the account's name as its customer gave it; the owner is `metadata.customerId`. */
  data: { accountId: AccountId; accountNumber: AccountNumber; owner: string; openingDepositCents: Cents };
  metadata: CommandMetadata;
};
type DepositMoney = {
  type: 'DepositMoney';
  data: { accountId: AccountId; amountCents: Cents };
  metadata: CommandMetadata;
};
export type WithdrawMoney = {
  type: 'WithdrawMoney';
  data: { accountId: AccountId; amountCents: Cents };
  metadata: CommandMetadata;
};
export type AccountCommand = OpenAccount | DepositMoney | WithdrawMoney;

/**
 * Schema v2 added `customerId` (the owner; null for accounts opened before customers existed, which
 * only admins can see and nobody can move money from) and `accountNumber` (see ./upcast.ts).
 */
type AccountOpened = {
  type: 'AccountOpened';
  data: { accountId: string; accountNumber: string; customerId: string | null; owner: string; openedAt: string };
};
/** Schema v2 added `currency` (v1 events are upcast: see ./upcast.ts). */
type MoneyDeposited = {
  type: 'MoneyDeposited';
  data: { accountId: string; amountCents: Cents; currency: Currency; balanceAfterCents: Cents; depositedAt: string };
};
/** Schema v2 added `currency` (v1 events are upcast: see ./upcast.ts). */
type MoneyWithdrawn = {
  type: 'MoneyWithdrawn';
  data: { accountId: string; amountCents: Cents; currency: Currency; balanceAfterCents: Cents; withdrawnAt: string };
};
/** The source side of a transfer; the destination records MoneyTransferredIn in the same commit. */
type MoneyTransferredOut = {
  type: 'MoneyTransferredOut';
  data: {
    accountId: string;
    transferId: string;
    toAccountId: string;
    amountCents: Cents;
    balanceAfterCents: Cents;
    transferredAt: string;
    /** The sender's payment reference; absent when none was given (and on every event before references). */
    reference?: string;
  };
};
type MoneyTransferredIn = {
  type: 'MoneyTransferredIn';
  data: {
    accountId: string;
    transferId: string;
    fromAccountId: string;
    amountCents: Cents;
    balanceAfterCents: Cents;
    transferredAt: string;
    /** The sender's payment reference; absent when none was given (and on every event before references). */
    reference?: string;
  };
};
export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn | MoneyTransferredOut | MoneyTransferredIn;

/** Every event type the account stream can hold (for readers such as the admin filter). */
export const ACCOUNT_EVENT_TYPES = [
  'AccountOpened',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'MoneyTransferredOut',
  'MoneyTransferredIn',
] as const satisfies readonly AccountEvent['type'][];

export type Account =
  | { status: 'none' }
  | {
      status: 'open';
      accountId: string;
      accountNumber: string;
      customerId: string | null;
      owner: string;
      balanceCents: Cents;
      openedAt: string;
    };

/** Expected business outcomes, recorded and replayed like successes. */
export type AccountRejection =
  | { code: 'AccountNotFound'; accountId: string }
  /** The account exists but is not the acting customer's: shown to them exactly like AccountNotFound. */
  | { code: 'NotOwner'; accountId: string }
  | { code: 'AccountAlreadyOpen'; accountId: string }
  | { code: 'InvalidOwner'; reason: string }
  | { code: 'InvalidAmount'; amountCents: Cents; reason: string }
  | { code: 'InsufficientFunds'; accountId: string; balanceCents: Cents; requestedCents: Cents }
  | { code: 'BalanceLimitExceeded'; accountId: string; balanceCents: Cents; requestedCents: Cents }
  | { code: 'SameAccount'; accountId: string };

export type Decision = { ok: true; events: AccountEvent[] } | { ok: false; rejection: AccountRejection };

export const accountStreamId = (accountId: AccountId) => `account-${accountId}`;

export const initialState = (): Account => ({ status: 'none' });

export function evolve(state: Account, event: AccountEvent): Account {
  switch (event.type) {
    case 'AccountOpened':
      return {
        status: 'open',
        accountId: event.data.accountId,
        accountNumber: event.data.accountNumber,
        customerId: event.data.customerId,
        owner: event.data.owner,
        balanceCents: 0,
        openedAt: event.data.openedAt,
      };
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
    case 'MoneyTransferredOut':
    case 'MoneyTransferredIn':
      if (state.status !== 'open') return state;
      // Events carry the balance after them, so replay never re-derives it from arithmetic that
      // could change between releases.
      return { ...state, balanceCents: event.data.balanceAfterCents };
    default:
      return assertNever(event);
  }
}

export function decide(command: AccountCommand, state: Account): Decision {
  switch (command.type) {
    case 'OpenAccount':
      return openAccount(command, state);
    case 'DepositMoney':
      return depositMoney(command, state);
    case 'WithdrawMoney':
      return withdrawMoney(command, state);
    default:
      return assertNever(command);
  }
}

const reject = (rejection: AccountRejection): Decision => ({ ok: false, rejection });

export function amountProblem(amountCents: Cents, allowZero: boolean): AccountRejection | null {
  if (!Number.isSafeInteger(amountCents))
    return { code: 'InvalidAmount', amountCents, reason: 'Amount must be a whole number of cents' };
  if (amountCents < 0 || (amountCents === 0 && !allowZero))
    return { code: 'InvalidAmount', amountCents, reason: 'Amount must be greater than zero' };
  if (amountCents > MAX_AMOUNT_CENTS)
    return { code: 'InvalidAmount', amountCents, reason: 'Amount exceeds the per-operation limit' };
  return null;
}

function openAccount({ data, metadata }: OpenAccount, state: Account): Decision {
  if (state.status !== 'none') return reject({ code: 'AccountAlreadyOpen', accountId: data.accountId });
  const owner = data.owner.trim();
  // Characters (code points), as the forms and the API count them: an emoji is one.
  const length = Array.from(owner).length;
  if (length === 0 || length > OWNER_MAX_LENGTH) {
    return reject({ code: 'InvalidOwner', reason: `Owner name must be 1 to ${OWNER_MAX_LENGTH} characters` });
  }
  const problem = amountProblem(data.openingDepositCents, true);
  if (problem) return reject(problem);
  const at = metadata.now.toISOString();
  const events: AccountEvent[] = [
    {
      type: 'AccountOpened',
      data: {
        accountId: data.accountId,
        accountNumber: data.accountNumber,
        customerId: metadata.customerId,
        owner,
        openedAt: at,
      },
    },
  ];
  if (data.openingDepositCents > 0) {
    const amountCents = data.openingDepositCents;
    events.push({
      type: 'MoneyDeposited',
      data: {
        accountId: data.accountId,
        amountCents,
        currency: CURRENCY,
        balanceAfterCents: amountCents,
        depositedAt: at,
      },
    });
  }
  return { ok: true, events };
}

/** Only the owner moves an account's money; an account that is not theirs is, to them, not there. */
export function ownershipProblem(state: Account, accountId: string, customerId: string): AccountRejection | null {
  if (state.status !== 'open') return { code: 'AccountNotFound', accountId };
  if (state.customerId === null || state.customerId !== customerId) return { code: 'NotOwner', accountId };
  return null;
}

function depositMoney({ data, metadata }: DepositMoney, state: Account): Decision {
  const notYours = ownershipProblem(state, data.accountId, metadata.customerId);
  if (notYours || state.status !== 'open')
    return reject(notYours ?? { code: 'AccountNotFound', accountId: data.accountId });
  const problem = amountProblem(data.amountCents, false);
  if (problem) return reject(problem);
  const balanceAfterCents = state.balanceCents + data.amountCents;
  if (balanceAfterCents > MAX_BALANCE_CENTS) {
    return reject({
      code: 'BalanceLimitExceeded',
      accountId: data.accountId,
      balanceCents: state.balanceCents,
      requestedCents: data.amountCents,
    });
  }
  return {
    ok: true,
    events: [
      {
        type: 'MoneyDeposited',
        data: {
          accountId: data.accountId,
          amountCents: data.amountCents,
          currency: CURRENCY,
          balanceAfterCents,
          depositedAt: metadata.now.toISOString(),
        },
      },
    ],
  };
}

function withdrawMoney({ data, metadata }: WithdrawMoney, state: Account): Decision {
  const notYours = ownershipProblem(state, data.accountId, metadata.customerId);
  if (notYours || state.status !== 'open')
    return reject(notYours ?? { code: 'AccountNotFound', accountId: data.accountId });
  const problem = amountProblem(data.amountCents, false);
  if (problem) return reject(problem);
  if (data.amountCents > state.balanceCents) {
    return reject({
      code: 'InsufficientFunds',
      accountId: data.accountId,
      balanceCents: state.balanceCents,
      requestedCents: data.amountCents,
    });
  }
  const balanceAfterCents = state.balanceCents - data.amountCents;
  return {
    ok: true,
    events: [
      {
        type: 'MoneyWithdrawn',
        data: {
          accountId: data.accountId,
          amountCents: data.amountCents,
          currency: CURRENCY,
          balanceAfterCents,
          withdrawnAt: metadata.now.toISOString(),
        },
      },
    ],
  };
}

function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
