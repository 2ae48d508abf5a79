// What the invariants read: the whole ledger as stored (events, command rows, both projections), the
// account streams replayed once, and what the clients saw (per Idempotency-Key: the request and every
// response). Each invariant is a function of these that returns its violations.
import type pg from 'pg';
import { storedMetadataSql } from '@/lib/event-store';
import { scopedCommandId } from '../../lib/accounts/ids';
import { outcomeOfCommand, type AccountFacts, type AccountFactsOf } from '../../lib/accounts/outcome-codecs';
import type { AccountResult, TransferResult } from '../../lib/accounts/results';

export type { TransferResult };

export type ObservedRequest = {
  kind: 'open' | 'deposit' | 'withdraw' | 'transfer';
  /** The customer (user id) who sent it: their command id is "<customerId>:<key>" (lib/accounts/ids.ts). */
  customerId: string;
  path: string;
  body: { name?: string; openingDeposit?: string; amount?: string; from?: string; toAccountNumber?: string };
  /** The account of a deposit or withdrawal. */
  accountId?: string;
  /** The account a transfer's number names, as the client knows it (the API never says). */
  toAccountId?: string;
};

/** One HTTP attempt: status 0 = network error (no response); apiKey = which of the customer's keys sent it. */
/** `send`: which send loop (a first send or a duplicate, with its retries) got this response. */
export type ObservedResponse = {
  status: number;
  body: string;
  instance?: number;
  replayed?: boolean;
  ms?: number;
  /** When the attempt was sent (Date.now() of the client's process); with `ms`, the attempt's span. */
  at?: number;
  error?: string;
  apiKey?: number;
  send?: number;
};

export type Observation = { key: string; request: ObservedRequest; responses: ObservedResponse[] };

/** The engine's command id of an observed key: keys belong to their customer. */
export const commandIdOf = ({ key, request }: Observation): string => scopedCommandId(request.customerId, key);

export type CheckOptions = {
  /** Command rows no observation sent (e.g. setup done another way) are fine. Default false. */
  allowUnobservedCommands?: boolean;
};

/** One rule: every violation it finds, each line starting with the rule's code in brackets. */
export type Invariant = (ledger: Ledger, observations: Observation[], options: CheckOptions) => string[];

export const violation = (rule: string, message: string) => `[${rule}] ${message}`;

export type EventRow = {
  global_position: string;
  stream_id: string;
  version: number;
  type: string;
  data: {
    accountId?: string;
    /** AccountOpened v2: the owning customer (absent on accounts opened before customers). */
    customerId?: string | null;
    accountNumber?: string;
    owner?: string;
    openedAt?: string;
    amountCents?: number;
    balanceAfterCents?: number;
    transferId?: string;
    toAccountId?: string;
    fromAccountId?: string;
    reference?: string;
    /** Standing-order events (lib/standing-orders): their order, the occurrence's day, its transfer. */
    standingOrderId?: string;
    dueOn?: string;
    transferCommandId?: string;
  };
  metadata: { commandId?: string };
  command_id: string;
  created_at: Date;
  xmin: string;
};
export type CommandRow = {
  command_id: string;
  /** The row's key (null when the schema has none): the key of its id, or no retry finds it. */
  command_key: string | null;
  type: string;
  stream_ids: string[] | null;
  status: string;
  /** As its replays answer it; undefined when it cannot be read (a lean form whose account is unknown). */
  outcome: StoredOutcome | undefined;
  created_at: Date;
  xmin: string;
  /** Replays counted on the row by schemas before command_replays (null since): such a row was updated. */
  replay_count: number | null;
};
type StoredOutcome =
  | { status: 'accepted'; result: AccountResult & TransferResult }
  | {
      status: 'rejected';
      rejection: { code: string; accountId?: string; balanceCents?: number; requestedCents?: number };
    };
type BalanceRow = {
  account_id: string;
  owner: string;
  customer_id: string | null;
  account_number: string;
  balance_cents: string;
  version: number;
  opened_at: Date;
  updated_at: Date;
};
export type TransactionRow = {
  account_id: string;
  version: number;
  kind: string;
  amount_cents: string;
  balance_after_cents: string;
  occurred_at: Date;
  counterparty_account_id: string | null;
  reference: string | null;
  xmin: string;
};

/** Sign of each money event's amount in its stream's balance, and its transaction kind. */
const MOVEMENTS: Record<string, { sign: 1 | -1; kind: string }> = {
  MoneyDeposited: { sign: 1, kind: 'deposit' },
  MoneyWithdrawn: { sign: -1, kind: 'withdrawal' },
  MoneyTransferredIn: { sign: 1, kind: 'transfer-in' },
  MoneyTransferredOut: { sign: -1, kind: 'transfer-out' },
};

/** One money event of an account stream, replayed: `expected` is the balance before it ± its amount. */
type Step = {
  event: EventRow;
  sign: 1 | -1;
  kind: string;
  amount: number;
  before: number;
  expected: number;
  after: number | undefined;
};

/** An account stream folded from its first event: the money chain and the balance it ends at. */
export type AccountReplay = {
  streamId: string;
  accountId: string;
  events: EventRow[];
  steps: Step[];
  /** Events of no type an account stream may hold. */
  unknown: EventRow[];
  balance: number;
  credits: number;
  debits: number;
};

export type Ledger = {
  events: EventRow[];
  commands: CommandRow[];
  balances: BalanceRow[];
  transactions: TransactionRow[];
  streams: Map<string, EventRow[]>;
  /** The account streams (`account-<id>`), replayed. */
  accounts: AccountReplay[];
  commandsById: Map<string, CommandRow[]>;
  eventsByCommand: Map<string, EventRow[]>;
  /** The history rows of each command: those at the (account, version) of one of its events. */
  transactionsByCommand: Map<string, TransactionRow[]>;
};

type Queryable = pg.Client | pg.PoolClient | pg.Pool;

export async function loadLedger(db: Queryable): Promise<Ledger> {
  // One query after the other: the connection may be a single client inside a transaction.
  const events = (
    await rows<EventRow>(
      db,
      // An event names its command by key (lib/event-store/command-key.ts); the id is the command row's.
      // An event whose key no command row has is named by its key ([event-orphan]).
      `SELECT global_position::text, stream_id, version, type, data, ${storedMetadataSql('e.')} AS metadata,
            coalesce((SELECT c.command_id FROM commands c WHERE c.command_key = e.command_key LIMIT 1), 'key ' || e.command_key) AS command_id,
            created_at, xmin::text
       FROM events e ORDER BY stream_id, version, global_position`,
    )
  ).map(withImpliedData);
  const storedCommands = await rows<CommandRow>(
    db,
    `SELECT command_id, to_jsonb(c) ->> 'command_key' AS command_key, type, stream_ids, status, outcome, created_at, xmin::text,
            (to_jsonb(c) ->> 'replay_count')::int AS replay_count
       FROM commands c ORDER BY command_id`,
  );
  const balances = await rows<BalanceRow>(
    db,
    `SELECT account_id::text, owner, customer_id, account_number, balance_cents::text, version, opened_at, updated_at FROM account_balances ORDER BY account_id`,
  );
  // Each outcome as its replays answer it (rows may store a leaner form: lib/accounts/outcome-codecs.ts),
  // with the number and holder of its accounts from their opening events (their balance rows when
  // the event is missing). One that cannot be read has no outcome: [command-outcome] reports it.
  const accountOf = accountFactsFrom(events, balances);
  const commands = storedCommands.map((c) => ({ ...c, outcome: readableOutcome(c, accountOf) }));
  const transactions = await rows<TransactionRow>(
    db,
    `SELECT account_id::text, version, kind, amount_cents::text, balance_after_cents::text, occurred_at, counterparty_account_id::text, reference, xmin::text
       FROM account_transactions ORDER BY account_id, version`,
  );
  const streams = groupBy(events, (e) => e.stream_id);
  return {
    events,
    commands,
    balances,
    transactions,
    streams,
    accounts: [...streams].flatMap(([streamId, stream]) =>
      accountIdOf(streamId) ? [replay(streamId, accountIdOf(streamId)!, stream)] : [],
    ),
    commandsById: groupBy(commands, (c) => c.command_id),
    eventsByCommand: groupBy(events, (e) => e.command_id),
    transactionsByCommand: transactionsByCommand(events, transactions),
  };
}

function accountFactsFrom(events: EventRow[], balances: BalanceRow[]): AccountFactsOf {
  const facts = new Map<string, AccountFacts>(
    balances.map((b) => [b.account_id, { accountNumber: b.account_number, owner: b.owner }]),
  );
  for (const e of events) {
    const accountId = accountIdOf(e.stream_id);
    const data = e.data as { accountNumber?: unknown; owner?: unknown };
    if (
      accountId &&
      e.type === 'AccountOpened' &&
      typeof data.accountNumber === 'string' &&
      typeof data.owner === 'string'
    )
      facts.set(accountId, { accountNumber: data.accountNumber, owner: data.owner });
  }
  return (accountId) => facts.get(accountId);
}

function readableOutcome(c: CommandRow, accountOf: AccountFactsOf): StoredOutcome | undefined {
  try {
    return outcomeOfCommand(
      { type: c.type, streamIds: c.stream_ids ?? [], outcome: c.outcome },
      accountOf,
    ) as StoredOutcome;
  } catch {
    return undefined;
  }
}

/**
 * A history row stores no command id: it belongs to the command of the event at its (account,
 * version). A row with no event there belongs to no command ([projection-transactions] reports it).
 */
function transactionsByCommand(events: EventRow[], transactions: TransactionRow[]): Map<string, TransactionRow[]> {
  const commandAt = new Map(events.map((e) => [`${e.stream_id}#${e.version}`, e.command_id]));
  const attributed = transactions.flatMap((t) => {
    const commandId = commandAt.get(`account-${t.account_id}#${t.version}`);
    return commandId === undefined ? [] : [{ commandId, t }];
  });
  return new Map([...groupBy(attributed, (a) => a.commandId)].map(([id, rows]) => [id, rows.map((a) => a.t)]));
}

/** A standing order's stream (`standingorder-<id>`): another aggregate, checked by ./standing-order-invariants.ts. */
export const isStandingOrderStream = (streamId: string) => streamId.startsWith('standingorder-');

/** A command on standing-order streams only (the orders' own commands; their transfers are account commands). */
export const isStandingOrderCommand = (command: CommandRow) =>
  (command.stream_ids ?? []).length > 0 && (command.stream_ids ?? []).every(isStandingOrderStream);

// An account event is stored without what its row says (lib/accounts/domain/upcast.ts storedDataOf):
// its account id (its stream's) and its time (its row's). The checker puts both back itself, so that
// an event stored without them reads as it was written, and one that names another account still does.
const TIME_FIELDS: Record<string, string> = {
  AccountOpened: 'openedAt',
  MoneyDeposited: 'depositedAt',
  MoneyWithdrawn: 'withdrawnAt',
  MoneyTransferredOut: 'transferredAt',
  MoneyTransferredIn: 'transferredAt',
};
function withImpliedData(e: EventRow): EventRow {
  const accountId = accountIdOf(e.stream_id);
  const time = TIME_FIELDS[e.type];
  if (!accountId || !time || e.data.accountId !== undefined) return e;
  const data = e.data as Record<string, unknown>;
  return { ...e, data: { ...e.data, accountId, [time]: data[time] ?? e.created_at.toISOString() } };
}

export const accountIdOf = (streamId: string) =>
  streamId.startsWith('account-') ? streamId.slice('account-'.length) : null;

function replay(streamId: string, accountId: string, events: EventRow[]): AccountReplay {
  const folded: AccountReplay = {
    streamId,
    accountId,
    events,
    steps: [],
    unknown: [],
    balance: 0,
    credits: 0,
    debits: 0,
  };
  for (const event of events) {
    if (event.type === 'AccountOpened') continue;
    const movement = MOVEMENTS[event.type];
    if (!movement) {
      folded.unknown.push(event);
      continue;
    }
    const amount = event.data.amountCents ?? Number.NaN;
    const after = event.data.balanceAfterCents;
    const expected = folded.balance + movement.sign * amount;
    folded.steps.push({ event, ...movement, amount, before: folded.balance, expected, after });
    if (movement.sign > 0) folded.credits += amount;
    else folded.debits += amount;
    folded.balance = typeof after === 'number' ? after : expected;
  }
  return folded;
}

/** "12.34" → 1234 (the API's amount format); NaN if malformed. */
export function toCents(amount: string | undefined): number {
  if (amount === undefined) return 0;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) return Number.NaN;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** A final answer: not a network error, 5xx, 409 (busy) or 429 (over the key's request limit) — none of those ran the command. */
export const isFinalStatus = (status: number) => status !== 0 && status < 500 && status !== 409 && status !== 429;

async function rows<R>(db: Queryable, sql: string): Promise<R[]> {
  const result = await db.query(sql);
  return result.rows as R[];
}

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
