// The invariant checker of the storm and fault tests. Given a connection to the database and what
// the clients saw (per Idempotency-Key: the request and every response), it checks the whole ledger
// and throws an InvariantViolation listing every broken rule, or returns counts.
//
// Rules (the code in brackets starts each violation line):
//  [stream-gap]            every stream's versions are 1..n
//  [stream-shape]          a stream starts with AccountOpened, once; its events name its account
//  [command-duplicate]     a command id has at most one command row
//  [event-orphan]          every event belongs to a command row
//  [command-commit]        a command's events and account_transactions rows share ONE commit: same
//                          xmin (transaction id) as each other and as the command row (unless that
//                          row was updated since, e.g. by replay bookkeeping: then a later xmin),
//                          same timestamp, metadata.commandId
//  [command-streams]       an account command's events are in ONE stream, the one it names; a
//                          transfer's in exactly its two streams
//  [command-versions]      a command's events have consecutive versions (per stream)
//  [command-events]        accepted deposit/withdrawal → exactly one event of its kind; open → opened
//                          (+ deposit); transfer → one out (source) + one in (destination), same
//                          transfer id and amount; rejected → none
//  [command-outcome]       the stored outcome matches the events it produced
//  [balance-chain]         along a stream, balanceAfter = before ± amount, amounts positive
//  [balance-negative]      no balance is ever below zero
//  [projection-balance]    account_balances = replay of the stream (owner, balance, version, opened_at)
//  [projection-transactions] account_transactions = the stream's money events, row for row
//                          (kind, amount, balance after, command, time, counterparty)
//  [response-divergence]   all final (non-5xx, non-409) responses for one key are identical
//  [double-execution]      at most one final response per key is a first execution (not a replay)
//  [ack-lost]              every 2xx has its committed command
//  [ack-mismatch]          a 2xx body matches the stored outcome and the event it reports
//  [rejection-mismatch]    a 4xx business rejection matches the stored rejection
//  [request-mismatch]      the command stored under a key is the request sent with it
//  [command-unobserved]    no command row that no client sent (unless allowed)
import type pg from 'pg';

export type ObservedRequest = {
  kind: 'open' | 'deposit' | 'withdraw' | 'transfer';
  path: string;
  body: { owner?: string; openingDeposit?: string; amount?: string; from?: string; to?: string };
  /** The account of a deposit or withdrawal. */
  accountId?: string;
};

/** One HTTP attempt: status 0 = network error (no response). */
export type ObservedResponse = { status: number; body: string; instance?: number; replayed?: boolean; ms?: number; error?: string };

export type Observation = { key: string; request: ObservedRequest; responses: ObservedResponse[] };

export type InvariantReport = {
  streams: number;
  events: number;
  commands: number;
  acceptedCommands: number;
  rejectedCommands: number;
  keys: number;
  /** Keys with a final 2xx. */
  acknowledged: number;
  /** Keys with a final 4xx (business rejection or bad request). */
  refused: number;
  /** Keys that never got a final response (gave up): allowed, the command may or may not exist. */
  unresolved: number;
  unresolvedCommitted: number;
  responses: number;
  finalResponses: number;
  /** Keys whose final answer came from a replay only (the first execution's reply was lost). */
  answeredOnlyByReplay: number;
  /** Sum of all balances (cents). */
  totalBalanceCents: number;
};

export class InvariantViolation extends Error {
  constructor(readonly violations: string[]) {
    const shown = violations.slice(0, 40);
    super(`${violations.length} invariant violation(s):\n- ${shown.join('\n- ')}${violations.length > shown.length ? `\n… and ${violations.length - shown.length} more` : ''}`);
    this.name = 'InvariantViolation';
  }
}

export type CheckOptions = {
  /** Command rows no observation sent (e.g. setup done another way) are fine. Default false. */
  allowUnobservedCommands?: boolean;
};

type Queryable = pg.Client | pg.PoolClient | pg.Pool;

type EventRow = {
  global_position: string;
  stream_id: string;
  version: number;
  type: string;
  data: {
    accountId?: string;
    owner?: string;
    openedAt?: string;
    amountCents?: number;
    balanceAfterCents?: number;
    transferId?: string;
    toAccountId?: string;
    fromAccountId?: string;
  };
  metadata: { commandId?: string };
  command_id: string;
  created_at: Date;
  xmin: string;
};
type CommandRow = {
  command_id: string;
  type: string;
  stream_ids: string[] | null;
  status: string;
  outcome: StoredOutcome;
  created_at: Date;
  xmin: string;
  /** Replays counted on the row (null when the schema has no such column): the row was updated. */
  replay_count: number | null;
};
type AccountResult = { accountId: string; owner: string; amountCents: number; balanceCents: number; version: number };
type TransferResult = { transferId: string; fromAccountId: string; toAccountId: string; amountCents: number; fromBalanceCents: number; toBalanceCents: number };
type StoredOutcome =
  | { status: 'accepted'; result: AccountResult & TransferResult }
  | { status: 'rejected'; rejection: { code: string; accountId?: string; balanceCents?: number; requestedCents?: number } };
type BalanceRow = { account_id: string; owner: string; balance_cents: string; version: number; opened_at: Date; updated_at: Date };
type TransactionRow = {
  account_id: string;
  version: number;
  kind: string;
  amount_cents: string;
  balance_after_cents: string;
  command_id: string;
  occurred_at: Date;
  counterparty_account_id: string | null;
  xmin: string;
};

const COMMAND_OF_KIND = { open: 'OpenAccount', deposit: 'DepositMoney', withdraw: 'WithdrawMoney', transfer: 'TransferMoney' } as const;
/** Sign of each money event's amount in its stream's balance, and its transaction kind. */
const MOVEMENTS: Record<string, { sign: 1 | -1; kind: string }> = {
  MoneyDeposited: { sign: 1, kind: 'deposit' },
  MoneyWithdrawn: { sign: -1, kind: 'withdrawal' },
  MoneyTransferredIn: { sign: 1, kind: 'transfer-in' },
  MoneyTransferredOut: { sign: -1, kind: 'transfer-out' },
};
const FROZEN_XID = '2';

/** "12.34" → 1234 (the API's amount format); NaN if malformed. */
export function toCents(amount: string | undefined): number {
  if (amount === undefined) return 0;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) return Number.NaN;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export const isFinalStatus = (status: number) => status !== 0 && status < 500 && status !== 409;

export async function checkInvariants(db: Queryable, observations: Observation[], options: CheckOptions = {}): Promise<InvariantReport> {
  const violations: string[] = [];
  const fail = (rule: string, message: string) => violations.push(`[${rule}] ${message}`);

  // One query after the other: the connection may be a single client inside a transaction.
  const events = await rows<EventRow>(db, `SELECT global_position::text, stream_id, version, type, data, metadata, command_id, created_at, xmin::text FROM events ORDER BY stream_id, version, global_position`);
  const commands = await rows<CommandRow>(db, `SELECT command_id, type, stream_ids, status, outcome, created_at, xmin::text, (to_jsonb(c) ->> 'replay_count')::int AS replay_count FROM commands c ORDER BY command_id`);
  const balances = await rows<BalanceRow>(db, `SELECT account_id::text, owner, balance_cents::text, version, opened_at, updated_at FROM account_balances ORDER BY account_id`);
  const transactions = await rows<TransactionRow>(
    db,
    `SELECT account_id::text, version, kind, amount_cents::text, balance_after_cents::text, command_id, occurred_at, counterparty_account_id::text, xmin::text
       FROM account_transactions ORDER BY account_id, version`,
  );

  // ---- streams: contiguous versions, shape, money chain, projections -------------------------
  const streams = groupBy(events, (e) => e.stream_id);
  const balanceByAccount = new Map(balances.map((b) => [b.account_id, b]));
  const transactionsByAccount = groupBy(transactions, (t) => t.account_id);
  let totalBalanceCents = 0;

  for (const [streamId, stream] of streams) {
    const versions = stream.map((e) => e.version);
    if (versions.some((v, i) => v !== i + 1)) fail('stream-gap', `${streamId}: versions ${abbreviate(versions)} are not 1..${stream.length}`);

    const accountId = streamId.startsWith('account-') ? streamId.slice('account-'.length) : null;
    if (!accountId) {
      fail('stream-shape', `${streamId}: not an account stream`);
      continue;
    }
    if (stream[0]?.type !== 'AccountOpened') fail('stream-shape', `${streamId}: first event is ${stream[0]?.type}, not AccountOpened`);
    for (const e of stream.slice(1)) if (e.type === 'AccountOpened') fail('stream-shape', `${streamId}: AccountOpened again at version ${e.version}`);
    for (const e of stream) if (e.data.accountId !== accountId) fail('stream-shape', `${streamId} v${e.version}: data.accountId is ${e.data.accountId}`);

    // Replay: the balance chain and the projections it implies.
    let balance = 0;
    let credits = 0;
    let debits = 0;
    const expectedTransactions: Omit<TransactionRow, 'xmin'>[] = [];
    for (const e of stream) {
      if (e.type === 'AccountOpened') continue;
      const movement = MOVEMENTS[e.type];
      if (!movement) {
        fail('stream-shape', `${streamId} v${e.version}: unknown event type ${e.type}`);
        continue;
      }
      const amount = e.data.amountCents ?? Number.NaN;
      const after = e.data.balanceAfterCents;
      if (!Number.isSafeInteger(amount) || amount <= 0) fail('balance-chain', `${streamId} v${e.version}: amountCents ${amount} is not a positive integer`);
      const expected = balance + movement.sign * amount;
      if (after !== expected) fail('balance-chain', `${streamId} v${e.version} ${e.type}: balanceAfterCents ${after}, but ${balance} ${movement.sign > 0 ? '+' : '−'} ${amount} = ${expected}`);
      if (typeof after === 'number' && after < 0) fail('balance-negative', `${streamId} v${e.version}: balance ${after} after ${e.type}`);
      if (movement.sign > 0) credits += amount;
      else debits += amount;
      balance = typeof after === 'number' ? after : expected;
      expectedTransactions.push({
        account_id: accountId,
        version: e.version,
        kind: movement.kind,
        amount_cents: String(amount),
        balance_after_cents: String(after),
        command_id: e.command_id,
        occurred_at: e.created_at,
        counterparty_account_id: e.type === 'MoneyTransferredOut' ? (e.data.toAccountId ?? null) : e.type === 'MoneyTransferredIn' ? (e.data.fromAccountId ?? null) : null,
      });
    }
    if (balance !== credits - debits) fail('balance-chain', `${streamId}: final balance ${balance} ≠ credits ${credits} − debits ${debits}`);
    if (balance < 0) fail('balance-negative', `${streamId}: final balance ${balance}`);
    totalBalanceCents += balance;

    const opened = stream[0]?.type === 'AccountOpened' ? stream[0] : null;
    const row = balanceByAccount.get(accountId);
    balanceByAccount.delete(accountId);
    const last = stream.at(-1)!;
    if (!row) fail('projection-balance', `${accountId}: no account_balances row (stream at version ${last.version})`);
    else {
      const replayed = { owner: opened?.data.owner, balance: String(balance), version: last.version, openedAt: opened ? Date.parse(opened.data.openedAt ?? '') : null };
      const stored = { owner: row.owner, balance: row.balance_cents, version: row.version, openedAt: row.opened_at.getTime() };
      if (JSON.stringify(stored) !== JSON.stringify(replayed)) {
        fail('projection-balance', `${accountId}: account_balances ${JSON.stringify(stored)} ≠ replay ${JSON.stringify(replayed)}`);
      }
    }
    const storedTransactions = transactionsByAccount.get(accountId) ?? [];
    transactionsByAccount.delete(accountId);
    const a = storedTransactions.map(transactionText);
    const b = expectedTransactions.map(transactionText);
    if (a.join('\n') !== b.join('\n')) {
      const i = a.findIndex((line, index) => line !== b[index]);
      const at = i < 0 ? Math.min(a.length, b.length) : i;
      fail('projection-transactions', `${accountId}: ${a.length} rows vs ${b.length} money events; first difference at #${at + 1}: stored ${a[at] ?? '(none)'} vs replay ${b[at] ?? '(none)'}`);
    }
  }
  for (const [accountId, row] of balanceByAccount) fail('projection-balance', `${accountId}: account_balances row (balance ${row.balance_cents}) without a stream`);
  for (const [accountId, rowsLeft] of transactionsByAccount) fail('projection-transactions', `${accountId}: ${rowsLeft.length} account_transactions row(s) without a stream`);

  // ---- commands: one row, one commit, the right events ----------------------------------------
  const commandsById = groupBy(commands, (c) => c.command_id);
  const eventsByCommand = groupBy(events, (e) => e.command_id);
  const transactionsByCommand = groupBy(transactions, (t) => t.command_id);
  for (const [commandId, rowsOfCommand] of commandsById) if (rowsOfCommand.length > 1) fail('command-duplicate', `${commandId}: ${rowsOfCommand.length} command rows`);
  for (const [commandId, evs] of eventsByCommand) if (!commandsById.has(commandId)) fail('event-orphan', `${evs.length} event(s) of command ${commandId}, which has no command row`);

  let accepted = 0;
  let rejected = 0;
  for (const [commandId, [command]] of commandsById) {
    if (!command) continue;
    const evs = eventsByCommand.get(commandId) ?? [];
    if (command.status === 'accepted') accepted += 1;
    else if (command.status === 'rejected') rejected += 1;
    else fail('command-outcome', `${commandId}: status ${command.status}`);
    if (command.outcome?.status !== command.status) fail('command-outcome', `${commandId}: status ${command.status} but outcome says ${command.outcome?.status}`);

    const transfer = command.type === 'TransferMoney';
    const streamIds = command.stream_ids ?? [];
    if (transfer ? streamIds.length < 1 || streamIds.length > 2 : streamIds.length !== 1) fail('command-streams', `${commandId} (${command.type}): names ${streamIds.length} streams`);
    const evStreams = groupBy(evs, (e) => e.stream_id);
    if (!transfer && evStreams.size > 1) fail('command-streams', `${commandId}: events in ${evStreams.size} streams (${[...evStreams.keys()].join(', ')})`);
    for (const s of evStreams.keys()) if (!streamIds.includes(s)) fail('command-streams', `${commandId}: event in ${s}, which the command does not name`);

    for (const [s, inStream] of evStreams) {
      const versions = inStream.map((e) => e.version).sort((x, y) => x - y);
      if (versions.some((v, i) => i > 0 && v !== versions[i - 1]! + 1)) fail('command-versions', `${commandId}: versions ${versions.join(',')} in ${s} are not consecutive`);
    }

    // One commit: every row the command wrote carries the same transaction id (xmin). The command
    // row's own xmin moves on when it is updated later (replay bookkeeping), never backwards.
    const written = [
      ...evs.map((e) => ({ what: `event ${e.stream_id} v${e.version}`, xmin: e.xmin })),
      ...(transactionsByCommand.get(commandId) ?? []).map((t) => ({ what: `account_transactions row ${t.account_id} v${t.version}`, xmin: t.xmin })),
    ].filter((w) => w.xmin !== FROZEN_XID);
    const commitXid = written[0]?.xmin;
    for (const w of written) if (w.xmin !== commitXid) fail('command-commit', `${commandId}: ${w.what} written by transaction ${w.xmin}, ${written[0]!.what} by ${commitXid}`);
    if (commitXid !== undefined && command.xmin !== FROZEN_XID) {
      const updated = (command.replay_count ?? 0) > 0;
      if (updated ? Number(command.xmin) < Number(commitXid) : command.xmin !== commitXid) {
        fail('command-commit', `${commandId}: its rows were written by transaction ${commitXid}, the command row by ${command.xmin}${updated ? ' (an older one)' : ''}`);
      }
    }
    for (const e of evs) {
      if (e.created_at.getTime() !== command.created_at.getTime()) fail('command-commit', `${commandId}: event v${e.version} at ${e.created_at.toISOString()}, command at ${command.created_at.toISOString()}`);
      if (e.metadata?.commandId !== commandId) fail('command-commit', `${commandId}: event ${e.stream_id} v${e.version} has metadata.commandId ${e.metadata?.commandId}`);
    }

    const types = evs.map((e) => e.type).join(',');
    const outcome = command.outcome;
    if (command.status === 'rejected') {
      if (evs.length > 0) fail('command-events', `${commandId} (${command.type}, rejected): ${evs.length} event(s) ${types}`);
      continue;
    }
    if (outcome?.status !== 'accepted') continue;
    if (transfer) {
      checkTransferEvents(commandId, outcome.result, evs);
      continue;
    }
    const expectedTypes =
      command.type === 'OpenAccount'
        ? outcome.result.amountCents > 0
          ? 'AccountOpened,MoneyDeposited'
          : 'AccountOpened'
        : command.type === 'DepositMoney'
          ? 'MoneyDeposited'
          : command.type === 'WithdrawMoney'
            ? 'MoneyWithdrawn'
            : null;
    if (expectedTypes === null) fail('command-events', `${commandId}: unknown command type ${command.type}`);
    else if (types !== expectedTypes) fail('command-events', `${commandId} (${command.type}, accepted): events [${types}], expected exactly [${expectedTypes}]`);
    const lastEvent = evs.at(-1);
    if (lastEvent) {
      const result = outcome.result;
      const balanceAfter = lastEvent.type === 'AccountOpened' ? 0 : lastEvent.data.balanceAfterCents;
      const moved = lastEvent.type === 'AccountOpened' ? 0 : lastEvent.data.amountCents;
      const fromEvents = { accountId: lastEvent.data.accountId, version: lastEvent.version, balanceCents: balanceAfter, amountCents: moved };
      const fromOutcome = { accountId: result.accountId, version: result.version, balanceCents: result.balanceCents, amountCents: result.amountCents };
      if (JSON.stringify(fromEvents) !== JSON.stringify(fromOutcome)) fail('command-outcome', `${commandId}: stored outcome ${JSON.stringify(fromOutcome)} ≠ its events ${JSON.stringify(fromEvents)}`);
    }
  }

  // ---- what the clients saw ------------------------------------------------------------------
  const observedKeys = new Set<string>();
  let acknowledged = 0;
  let refused = 0;
  let unresolved = 0;
  let unresolvedCommitted = 0;
  let responses = 0;
  let finalResponses = 0;
  let answeredOnlyByReplay = 0;
  for (const observation of observations) {
    const { key, request } = observation;
    observedKeys.add(key);
    responses += observation.responses.length;
    const finals = observation.responses.filter((r) => isFinalStatus(r.status));
    finalResponses += finals.length;
    const command = commandsById.get(key)?.[0];
    const first = finals[0];
    if (!first) {
      unresolved += 1;
      if (command) unresolvedCommitted += 1;
      if (command) checkRequest(key, request, command);
      continue;
    }
    const distinct = new Set(finals.map((r) => `${r.status} ${r.body}`));
    if (distinct.size > 1) fail('response-divergence', `${key}: ${distinct.size} different final responses: ${[...distinct].map((d) => d.slice(0, 160)).join(' | ')}`);
    const firstExecutions = finals.filter((r) => r.replayed === false).length;
    if (firstExecutions > 1) fail('double-execution', `${key}: ${firstExecutions} final responses were first executions (not replays)`);
    if (firstExecutions === 0) answeredOnlyByReplay += 1;

    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(first.body) as Record<string, unknown>;
    } catch {
      fail('ack-mismatch', `${key}: final response ${first.status} is not JSON: ${first.body.slice(0, 120)}`);
    }
    if (first.status >= 200 && first.status < 300) {
      acknowledged += 1;
      if (!command) {
        fail('ack-lost', `${key}: acknowledged ${first.status} ${first.body.slice(0, 160)}, but no command row`);
        continue;
      }
      checkRequest(key, request, command);
      checkAcknowledgement(key, request, body, command, eventsByCommand.get(key) ?? []);
    } else {
      refused += 1;
      const type = String(body.type ?? '');
      const business = /\/(insufficient-funds|account-not-found|balance-limit-exceeded|same-account)$/.exec(type)?.[1];
      if (!business) continue; // e.g. validation: refused before any command existed
      if (request.kind === 'open' && business === 'account-not-found') continue;
      if (!command) {
        fail('rejection-mismatch', `${key}: ${first.status} ${business}, but no command row records the rejection`);
        continue;
      }
      checkRequest(key, request, command);
      const code = { 'insufficient-funds': 'InsufficientFunds', 'account-not-found': 'AccountNotFound', 'balance-limit-exceeded': 'BalanceLimitExceeded', 'same-account': 'SameAccount' }[business];
      const stored = command.outcome?.status === 'rejected' ? command.outcome.rejection : null;
      if (command.status !== 'rejected' || !stored || stored.code !== code) {
        fail('rejection-mismatch', `${key}: answered ${business}, stored ${command.status} ${JSON.stringify(command.outcome).slice(0, 160)}`);
      } else if (code === 'InsufficientFunds' && (toCents(String(body.balance)) !== stored.balanceCents || toCents(String(body.requested)) !== stored.requestedCents)) {
        fail('rejection-mismatch', `${key}: answered balance ${String(body.balance)} requested ${String(body.requested)}, stored ${stored.balanceCents}/${stored.requestedCents}`);
      }
    }
  }
  if (!options.allowUnobservedCommands) {
    const unobserved = commands.filter((c) => !observedKeys.has(c.command_id));
    if (unobserved.length > 0) fail('command-unobserved', `${unobserved.length} command row(s) no client sent: ${unobserved.slice(0, 5).map((c) => `${c.command_id} (${c.type})`).join(', ')}`);
  }

  function checkRequest(key: string, request: ObservedRequest, command: CommandRow) {
    const expectedType = COMMAND_OF_KIND[request.kind];
    if (command.type !== expectedType) {
      fail('request-mismatch', `${key}: sent as ${request.kind}, stored as ${command.type}`);
      return;
    }
    const accounts = request.kind === 'transfer' ? [request.body.from, request.body.to] : request.kind === 'open' ? [] : [request.accountId];
    for (const account of accounts) {
      if (account && !(command.stream_ids ?? []).includes(`account-${account.toLowerCase()}`)) {
        fail('request-mismatch', `${key}: sent for account ${account}, stored for ${(command.stream_ids ?? []).join(', ')}`);
      }
    }
    const sentCents = toCents(request.kind === 'open' ? (request.body.openingDeposit ?? '0') : request.body.amount);
    if (command.outcome?.status === 'accepted' && command.outcome.result.amountCents !== sentCents) {
      fail('request-mismatch', `${key}: sent ${sentCents} cents, stored outcome moved ${command.outcome.result.amountCents}`);
    }
  }

  function checkAcknowledgement(key: string, request: ObservedRequest, body: Record<string, unknown>, command: CommandRow, evs: EventRow[]) {
    if (command.outcome?.status !== 'accepted') {
      fail('ack-mismatch', `${key}: acknowledged, but the stored command was ${command.status}`);
      return;
    }
    const r = command.outcome.result;
    if (request.kind === 'transfer') {
      const acked = { transferId: body.transferId, from: body.from, to: body.to, amount: toCents(String(body.amount)), fromBalance: toCents(String(body.fromBalance)), toBalance: toCents(String(body.toBalance)) };
      const stored = { transferId: r.transferId, from: r.fromAccountId, to: r.toAccountId, amount: r.amountCents, fromBalance: r.fromBalanceCents, toBalance: r.toBalanceCents };
      if (JSON.stringify(acked) !== JSON.stringify(stored)) fail('ack-mismatch', `${key}: acknowledged ${JSON.stringify(acked)}, stored outcome ${JSON.stringify(stored)}`);
      const out = evs.find((e) => e.type === 'MoneyTransferredOut');
      const into = evs.find((e) => e.type === 'MoneyTransferredIn');
      if (out?.data.balanceAfterCents !== acked.fromBalance || into?.data.balanceAfterCents !== acked.toBalance) {
        fail('ack-mismatch', `${key}: acknowledged balances ${acked.fromBalance}/${acked.toBalance}, events say ${out?.data.balanceAfterCents}/${into?.data.balanceAfterCents}`);
      }
      return;
    }
    const acked =
      request.kind === 'open'
        ? { accountId: body.id, balance: toCents(String(body.balance)), version: body.version, owner: body.owner }
        : { accountId: body.accountId, balance: toCents(String(body.balance)), version: body.version, amount: toCents(String(body.amount)), commandId: body.commandId };
    const stored =
      request.kind === 'open'
        ? { accountId: r.accountId, balance: r.balanceCents, version: r.version, owner: r.owner }
        : { accountId: r.accountId, balance: r.balanceCents, version: r.version, amount: r.amountCents, commandId: key };
    if (JSON.stringify(acked) !== JSON.stringify(stored)) fail('ack-mismatch', `${key}: acknowledged ${JSON.stringify(acked)}, stored outcome ${JSON.stringify(stored)}`);
    const event = evs.find((e) => e.version === body.version);
    if (!event) {
      fail('ack-mismatch', `${key}: acknowledged version ${String(body.version)}, but the command has no event at that version`);
      return;
    }
    const after = event.type === 'AccountOpened' ? 0 : event.data.balanceAfterCents;
    if (after !== toCents(String(body.balance))) fail('ack-mismatch', `${key}: acknowledged balance ${String(body.balance)}, event v${event.version} says ${after} cents`);
  }

  function checkTransferEvents(commandId: string, result: TransferResult, evs: EventRow[]) {
    const types = evs.map((e) => `${e.type}@${e.stream_id}`).sort().join(',');
    const expected = [`MoneyTransferredIn@account-${result.toAccountId}`, `MoneyTransferredOut@account-${result.fromAccountId}`].sort().join(',');
    if (types !== expected) {
      fail('command-events', `${commandId} (TransferMoney, accepted): events [${types}], expected exactly [${expected}]`);
      return;
    }
    const out = evs.find((e) => e.type === 'MoneyTransferredOut')!;
    const into = evs.find((e) => e.type === 'MoneyTransferredIn')!;
    const sides = [out.data.transferId, into.data.transferId, out.data.amountCents, into.data.amountCents, out.data.toAccountId, into.data.fromAccountId];
    const want = [result.transferId, result.transferId, result.amountCents, result.amountCents, result.toAccountId, result.fromAccountId];
    if (JSON.stringify(sides) !== JSON.stringify(want)) fail('command-events', `${commandId}: transfer sides ${JSON.stringify(sides)} ≠ ${JSON.stringify(want)} (transfer id, amounts, counterparties)`);
    const balances = [out.data.balanceAfterCents, into.data.balanceAfterCents];
    if (balances[0] !== result.fromBalanceCents || balances[1] !== result.toBalanceCents) {
      fail('command-outcome', `${commandId}: stored balances ${result.fromBalanceCents}/${result.toBalanceCents} ≠ its events ${balances.join('/')}`);
    }
  }

  if (violations.length > 0) throw new InvariantViolation(violations);
  return {
    streams: streams.size,
    events: events.length,
    commands: commands.length,
    acceptedCommands: accepted,
    rejectedCommands: rejected,
    keys: observations.length,
    acknowledged,
    refused,
    unresolved,
    unresolvedCommitted,
    responses,
    finalResponses,
    answeredOnlyByReplay,
    totalBalanceCents,
  };
}

async function rows<R>(db: Queryable, sql: string): Promise<R[]> {
  const result = await db.query(sql);
  return result.rows as R[];
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function transactionText(t: Omit<TransactionRow, 'xmin'> & { xmin?: string }): string {
  const counterparty = t.counterparty_account_id ? ` with ${t.counterparty_account_id}` : '';
  return `v${t.version} ${t.kind} ${t.amount_cents} → ${t.balance_after_cents}${counterparty} by ${t.command_id} at ${t.occurred_at.toISOString()}`;
}

function abbreviate(values: number[]): string {
  return values.length > 12 ? `${values.slice(0, 6).join(',')},…,${values.slice(-4).join(',')}` : values.join(',');
}
