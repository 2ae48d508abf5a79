// The API fuzz's model: every account of the fuzz's customers with its balance, and every command
// a key of this run has stored (its request's fingerprint and first answer). From these it says
// what the API must answer to a resolved command — refused before anything ran, replayed, or
// decided now (accepted, or a rejection the command log records) — and checks what it got.
import { randomUUID } from 'node:crypto';
import { luhnCheckDigit, parseAccountNumber } from '../../lib/accounts/domain/account-number';
import { money, type AccountRef, type Amount, type Command, type Recipient } from './actions';

export type ModelAccount = { id: string; number: string; owner: number; balance: number };
/** A key's stored command: what the engine compares a reuse against, and the first answer it replays. */
export type Stored = { fingerprint: string; status: number; body: string };

/** An account reference made concrete: the text sent, and the model's account it names (if any). */
export type ResolvedAccount = { text: string; id: string | null; account: ModelAccount | undefined };

export class Model {
  constructor(
    readonly accounts: ModelAccount[],
    readonly stored = new Map<string, Stored>(),
  ) {}

  byId = (id: string | null) => (id ? this.accounts.find((a) => a.id === id) : undefined);
  byNumber = (number: string) => this.accounts.find((a) => a.number === number);

  /** own/other pick among the model's accounts (none there: a random unknown id instead). */
  resolveAccount(ref: AccountRef, actor: number): ResolvedAccount {
    if (ref.kind === 'malformed') return { text: ref.text, id: null, account: undefined };
    if (ref.kind !== 'unknown') {
      const pool = this.accounts.filter((a) => (a.owner === actor) === (ref.kind === 'own'));
      const account = pool[ref.pick % Math.max(1, pool.length)];
      if (account) return { text: ref.upper ? account.id.toUpperCase() : account.id, id: account.id, account };
    }
    const id = randomUUID();
    return { text: id, id, account: undefined };
  }

  /** The toAccountNumber sent, and the account it names (undefined: well-formed but nobody's, or malformed). */
  resolveRecipient(
    to: Recipient,
    actor: number,
    from: ResolvedAccount,
  ): { value: unknown; number: string | null; account: ModelAccount | undefined } {
    if (to.kind === 'malformed') {
      const parsed = typeof to.value === 'string' ? parseAccountNumber(to.value) : null;
      return {
        value: to.value,
        number: parsed?.ok ? parsed.value : null,
        account: parsed?.ok ? this.byNumber(parsed.value) : undefined,
      };
    }
    if (to.kind === 'same' && from.account)
      return { value: from.account.number, number: from.account.number, account: from.account };
    if (to.kind === 'own' || to.kind === 'other') {
      const pool = this.accounts.filter((a) => (a.owner === actor) === (to.kind === 'own'));
      const account = pool[to.pick % Math.max(1, pool.length)];
      if (account)
        return {
          value: to.spaced ? account.number.replace(/(\d{4})(?=\d)/g, '$1 ') : account.number,
          number: account.number,
          account,
        };
    }
    // A well-formed number no account has: the sequence's numbers start with 1, legacy ones with 9.
    const body = `5${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
    const number = `${body}${luhnCheckDigit(body)}`;
    return { value: number, number, account: undefined };
  }
}

/** What the API must answer: refused before any command ran, a replay of a stored answer, or decided now. */
export type Expected =
  | { kind: 'refused'; status: number; problem: string }
  | { kind: 'replay'; stored: Stored }
  | {
      kind: 'decided';
      status: number;
      problem: string | null;
      fingerprint: string;
      check: (body: Record<string, unknown>) => string[];
    };

const validAmount = (amount: Amount, allowZero: boolean) => amount.cents !== null && (allowZero || amount.cents > 0);

/** A resolved command whose headers are all right: its body's validity, then the model's verdict. */
export type Resolved =
  | { type: 'open'; command: Extract<Command, { type: 'open' }> }
  | {
      type: 'deposit' | 'withdraw';
      command: Extract<Command, { type: 'deposit' | 'withdraw' }>;
      account: ResolvedAccount;
    }
  | {
      type: 'transfer';
      command: Extract<Command, { type: 'transfer' }>;
      from: ResolvedAccount;
      to: ReturnType<Model['resolveRecipient']>;
    };

export function expectCommand(model: Model, resolved: Resolved, actor: number, commandId: string): Expected {
  const invalid: Expected = { kind: 'refused', status: 422, problem: 'validation-failed' };
  const notFound: Expected = { kind: 'refused', status: 404, problem: 'account-not-found' };
  let fingerprint: string;
  switch (resolved.type) {
    case 'open': {
      const { name, openingDeposit } = resolved.command;
      if (name.trimmed === null || (openingDeposit && !validAmount(openingDeposit, true))) return invalid;
      fingerprint = JSON.stringify(['OpenAccount', name.trimmed, openingDeposit?.cents ?? 0]);
      break;
    }
    case 'deposit':
    case 'withdraw':
      if (!validAmount(resolved.command.amount, false)) return invalid;
      if (!resolved.account.id) return notFound; // the path names no account id: answered before any command
      fingerprint = JSON.stringify([resolved.type, resolved.account.id, resolved.command.amount.cents]);
      break;
    case 'transfer':
      if (!validAmount(resolved.command.amount, false) || !resolved.from.id || !resolved.to.number) return invalid;
      // Not the caller's source, or no account has that number: one answer, before any command.
      if (!resolved.to.account || !resolved.from.account || resolved.from.account.owner !== actor) return notFound;
      fingerprint = JSON.stringify([
        'transfer',
        resolved.from.id,
        resolved.to.account.id,
        resolved.command.amount.cents,
      ]);
      break;
  }
  const stored = model.stored.get(commandId);
  if (stored)
    return stored.fingerprint === fingerprint
      ? { kind: 'replay', stored }
      : { kind: 'refused', status: 422, problem: 'idempotency-key-reused' };
  return { kind: 'decided', fingerprint, ...decide(model, resolved, actor) };
}

type Decision = { status: number; problem: string | null; check: (body: Record<string, unknown>) => string[] };
const expectFields = (body: Record<string, unknown>, expected: Record<string, unknown>) =>
  Object.entries(expected)
    .filter(([field, value]) => body[field] !== value)
    .map(([field, value]) => `${field}: expected ${JSON.stringify(value)}, got ${JSON.stringify(body[field])}`);

/** A new command on the model's ledger: the answer, and the model updated when the API agrees. */
function decide(model: Model, resolved: Resolved, actor: number): Decision {
  if (resolved.type === 'open') {
    const cents = resolved.command.openingDeposit?.cents ?? 0;
    return {
      status: 201,
      problem: null,
      check: (body) => {
        model.accounts.push({ id: String(body.id), number: String(body.accountNumber), owner: actor, balance: cents });
        return expectFields(body, {
          name: resolved.command.name.trimmed,
          balance: money(cents),
          version: cents > 0 ? 2 : 1,
        });
      },
    };
  }
  const source = resolved.type === 'transfer' ? resolved.from : resolved.account;
  const account = source.account;
  const cents = resolved.command.amount.cents!;
  if (!account || account.owner !== actor) return rejected(404, 'account-not-found', { accountId: source.id });
  if (resolved.type === 'deposit')
    return accepted(
      () => (account.balance += cents),
      () => ({ accountId: account.id, balance: money(account.balance) }),
    );
  if (resolved.type === 'transfer' && resolved.to.account === account)
    return rejected(422, 'same-account', { accountId: account.id });
  if (cents > account.balance)
    return rejected(422, 'insufficient-funds', {
      accountId: account.id,
      balance: money(account.balance),
      requested: money(cents),
    });
  if (resolved.type !== 'transfer')
    return accepted(
      () => (account.balance -= cents),
      () => ({ accountId: account.id, balance: money(account.balance) }),
    );
  const to = resolved.to.account!;
  return accepted(
    () => {
      account.balance -= cents;
      to.balance += cents;
    },
    () => ({ from: account.id, toAccountNumber: to.number, amount: money(cents), fromBalance: money(account.balance) }),
  );
}

const rejected = (status: number, problem: string, fields: Record<string, unknown>): Decision => ({
  status,
  problem,
  check: (body) => expectFields(body, fields),
});
const accepted = (apply: () => void, fields: () => Record<string, unknown>): Decision => ({
  status: 201,
  problem: null,
  check: (body) => {
    apply();
    return expectFields(body, fields());
  },
});
