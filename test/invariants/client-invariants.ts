// Invariants of what the clients saw, against what is stored: one answer per key, acknowledged
// means committed, and every reply and stored command matches the request and the ledger.
import { isFinalStatus, toCents, violation, type CheckOptions, type CommandRow, type EventRow, type Ledger, type Observation, type ObservedRequest, type ObservedResponse } from './ledger';

const COMMAND_OF_KIND = { open: 'OpenAccount', deposit: 'DepositMoney', withdraw: 'WithdrawMoney', transfer: 'TransferMoney' } as const;
const REJECTION_CODE: Record<string, string> = {
  'insufficient-funds': 'InsufficientFunds',
  'account-not-found': 'AccountNotFound',
  'balance-limit-exceeded': 'BalanceLimitExceeded',
  'same-account': 'SameAccount',
};

/** What one key came to: its final responses, the first of them (parsed), and its command row. */
export type Answer = {
  key: string;
  request: ObservedRequest;
  finals: ObservedResponse[];
  first: ObservedResponse | undefined;
  body: Record<string, unknown>;
  bodyIsJson: boolean;
  command: CommandRow | undefined;
  verdict: 'unresolved' | 'acknowledged' | 'refused';
  /** A refusal that a command row must record (e.g. insufficient-funds); null for validation errors. */
  rejection: string | null;
};

export function answerOf(observation: Observation, ledger: Ledger): Answer {
  const { key, request } = observation;
  const finals = observation.responses.filter((r) => isFinalStatus(r.status));
  const first = finals[0];
  const command = ledger.commandsById.get(key)?.[0];
  let body: Record<string, unknown> = {};
  let bodyIsJson = true;
  try {
    if (first) body = JSON.parse(first.body) as Record<string, unknown>;
  } catch {
    bodyIsJson = false;
  }
  const verdict = !first ? 'unresolved' : first.status >= 200 && first.status < 300 ? 'acknowledged' : 'refused';
  const business = verdict === 'refused' ? (/\/(insufficient-funds|account-not-found|balance-limit-exceeded|same-account)$/.exec(String(body.type ?? ''))?.[1] ?? null) : null;
  // Opening answers account-not-found for no account it names: nothing is recorded for it.
  const rejection = business === 'account-not-found' && request.kind === 'open' ? null : business;
  return { key, request, finals, first, body, bodyIsJson, command, verdict, rejection };
}

const answers = (ledger: Ledger, observations: Observation[]) => observations.map((o) => answerOf(o, ledger));

/** [response-divergence] all final (non-5xx, non-409) responses for one key are identical. */
export function finalResponsesAgree(ledger: Ledger, observations: Observation[]): string[] {
  return answers(ledger, observations).flatMap(({ key, finals }) => {
    const distinct = new Set(finals.map((r) => `${r.status} ${r.body}`));
    return distinct.size > 1 ? [violation('response-divergence', `${key}: ${distinct.size} different final responses: ${[...distinct].map((d) => d.slice(0, 160)).join(' | ')}`)] : [];
  });
}

/** [double-execution] at most one final response per key is a first execution (not a replay). */
export function executedAtMostOnce(ledger: Ledger, observations: Observation[]): string[] {
  return answers(ledger, observations).flatMap(({ key, finals }) => {
    const firstExecutions = finals.filter((r) => r.replayed === false).length;
    return firstExecutions > 1 ? [violation('double-execution', `${key}: ${firstExecutions} final responses were first executions (not replays)`)] : [];
  });
}

/** [ack-lost] every 2xx has its committed command. */
export function acknowledgedCommandsExist(ledger: Ledger, observations: Observation[]): string[] {
  return answers(ledger, observations).flatMap(({ key, first, command, verdict }) =>
    verdict === 'acknowledged' && !command ? [violation('ack-lost', `${key}: acknowledged ${first!.status} ${first!.body.slice(0, 160)}, but no command row`)] : [],
  );
}

/** [ack-mismatch] a final response is JSON; a 2xx body matches the stored outcome and the event it reports. */
export function acknowledgementsMatchStore(ledger: Ledger, observations: Observation[]): string[] {
  const found: string[] = [];
  for (const answer of answers(ledger, observations)) {
    const { key, first, command, body } = answer;
    if (first && !answer.bodyIsJson) found.push(violation('ack-mismatch', `${key}: final response ${first.status} is not JSON: ${first.body.slice(0, 120)}`));
    if (answer.verdict === 'acknowledged' && command) found.push(...acknowledgementMismatches(key, answer.request, body, command, ledger.eventsByCommand.get(key) ?? []));
  }
  return found;
}

function acknowledgementMismatches(key: string, request: ObservedRequest, body: Record<string, unknown>, command: CommandRow, events: EventRow[]): string[] {
  const fail = (message: string) => [violation('ack-mismatch', `${key}: ${message}`)];
  if (command.outcome?.status !== 'accepted') return fail(`acknowledged, but the stored command was ${command.status}`);
  const r = command.outcome.result;
  if (request.kind === 'transfer') {
    const acked = { transferId: body.transferId, from: body.from, to: body.to, amount: toCents(String(body.amount)), fromBalance: toCents(String(body.fromBalance)), toBalance: toCents(String(body.toBalance)) };
    const stored = { transferId: r.transferId, from: r.fromAccountId, to: r.toAccountId, amount: r.amountCents, fromBalance: r.fromBalanceCents, toBalance: r.toBalanceCents };
    const found = JSON.stringify(acked) !== JSON.stringify(stored) ? fail(`acknowledged ${JSON.stringify(acked)}, stored outcome ${JSON.stringify(stored)}`) : [];
    const out = events.find((e) => e.type === 'MoneyTransferredOut');
    const into = events.find((e) => e.type === 'MoneyTransferredIn');
    if (out?.data.balanceAfterCents !== acked.fromBalance || into?.data.balanceAfterCents !== acked.toBalance) {
      found.push(...fail(`acknowledged balances ${acked.fromBalance}/${acked.toBalance}, events say ${out?.data.balanceAfterCents}/${into?.data.balanceAfterCents}`));
    }
    return found;
  }
  const acked =
    request.kind === 'open'
      ? { accountId: body.id, balance: toCents(String(body.balance)), version: body.version, owner: body.owner }
      : { accountId: body.accountId, balance: toCents(String(body.balance)), version: body.version, amount: toCents(String(body.amount)), commandId: body.commandId };
  const stored =
    request.kind === 'open'
      ? { accountId: r.accountId, balance: r.balanceCents, version: r.version, owner: r.owner }
      : { accountId: r.accountId, balance: r.balanceCents, version: r.version, amount: r.amountCents, commandId: key };
  const found = JSON.stringify(acked) !== JSON.stringify(stored) ? fail(`acknowledged ${JSON.stringify(acked)}, stored outcome ${JSON.stringify(stored)}`) : [];
  const event = events.find((e) => e.version === body.version);
  if (!event) return [...found, ...fail(`acknowledged version ${String(body.version)}, but the command has no event at that version`)];
  const after = event.type === 'AccountOpened' ? 0 : event.data.balanceAfterCents;
  if (after !== toCents(String(body.balance))) found.push(...fail(`acknowledged balance ${String(body.balance)}, event v${event.version} says ${after} cents`));
  return found;
}

/** [rejection-mismatch] a 4xx business rejection matches the stored rejection. */
export function rejectionsMatchStore(ledger: Ledger, observations: Observation[]): string[] {
  const found: string[] = [];
  for (const { key, first, body, command, rejection } of answers(ledger, observations)) {
    if (!rejection) continue;
    if (!command) {
      found.push(violation('rejection-mismatch', `${key}: ${first!.status} ${rejection}, but no command row records the rejection`));
      continue;
    }
    const code = REJECTION_CODE[rejection];
    const stored = command.outcome?.status === 'rejected' ? command.outcome.rejection : null;
    if (command.status !== 'rejected' || !stored || stored.code !== code) {
      found.push(violation('rejection-mismatch', `${key}: answered ${rejection}, stored ${command.status} ${JSON.stringify(command.outcome).slice(0, 160)}`));
    } else if (code === 'InsufficientFunds' && (toCents(String(body.balance)) !== stored.balanceCents || toCents(String(body.requested)) !== stored.requestedCents)) {
      found.push(violation('rejection-mismatch', `${key}: answered balance ${String(body.balance)} requested ${String(body.requested)}, stored ${stored.balanceCents}/${stored.requestedCents}`));
    }
  }
  return found;
}

/** [request-mismatch] the command stored under a key is the request sent with it (unresolved, acknowledged or rejected keys). */
export function storedCommandsMatchRequests(ledger: Ledger, observations: Observation[]): string[] {
  const found: string[] = [];
  for (const { key, request, command, verdict, rejection } of answers(ledger, observations)) {
    if (!command || (verdict === 'refused' && !rejection)) continue;
    const expectedType = COMMAND_OF_KIND[request.kind];
    if (command.type !== expectedType) {
      found.push(violation('request-mismatch', `${key}: sent as ${request.kind}, stored as ${command.type}`));
      continue;
    }
    const accounts = request.kind === 'transfer' ? [request.body.from, request.body.to] : request.kind === 'open' ? [] : [request.accountId];
    for (const account of accounts) {
      if (account && !(command.stream_ids ?? []).includes(`account-${account.toLowerCase()}`)) {
        found.push(violation('request-mismatch', `${key}: sent for account ${account}, stored for ${(command.stream_ids ?? []).join(', ')}`));
      }
    }
    const sentCents = toCents(request.kind === 'open' ? (request.body.openingDeposit ?? '0') : request.body.amount);
    if (command.outcome?.status === 'accepted' && command.outcome.result.amountCents !== sentCents) {
      found.push(violation('request-mismatch', `${key}: sent ${sentCents} cents, stored outcome moved ${command.outcome.result.amountCents}`));
    }
  }
  return found;
}

/** [command-unobserved] no command row that no client sent (unless allowed). */
export function everyCommandWasSent({ commands }: Ledger, observations: Observation[], options: CheckOptions): string[] {
  if (options.allowUnobservedCommands) return [];
  const sent = new Set(observations.map((o) => o.key));
  const unobserved = commands.filter((c) => !sent.has(c.command_id));
  if (unobserved.length === 0) return [];
  return [violation('command-unobserved', `${unobserved.length} command row(s) no client sent: ${unobserved.slice(0, 5).map((c) => `${c.command_id} (${c.type})`).join(', ')}`)];
}
