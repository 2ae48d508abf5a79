// Invariants of what the clients saw, against what is stored: one answer per key, acknowledged
// means committed, and every reply and stored command matches the request and the ledger. A key is
// its customer's: an observation's command is the row of "<customer id>:<key>".
import {
  commandIdOf,
  isFinalStatus,
  toCents,
  violation,
  type CheckOptions,
  type CommandRow,
  type EventRow,
  type Ledger,
  type Observation,
  type ObservedRequest,
  type ObservedResponse,
} from './ledger';

const COMMAND_OF_KIND = {
  open: 'OpenAccount',
  deposit: 'DepositMoney',
  withdraw: 'WithdrawMoney',
  transfer: 'TransferMoney',
} as const;
const REJECTION_CODE: Record<string, string> = {
  'insufficient-funds': 'InsufficientFunds',
  'account-not-found': 'AccountNotFound',
  'balance-limit-exceeded': 'BalanceLimitExceeded',
  'same-account': 'SameAccount',
};
/** A transfer's acknowledgement names the recipient by number only: never their account id or balance. */
const TRANSFER_ACK_FIELDS = ['amount', 'from', 'fromBalance', 'toAccountNumber', 'transferId'].join(',');

/** What one key came to: its final responses, the first of them (parsed), and its command row. */
export type Answer = {
  key: string;
  /** The engine's command id: the key scoped to the customer who sent it. */
  commandId: string;
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
  const commandId = commandIdOf(observation);
  const finals = observation.responses.filter((r) => isFinalStatus(r.status));
  const first = finals[0];
  const command = ledger.commandsById.get(commandId)?.[0];
  let body: Record<string, unknown> = {};
  let bodyIsJson = true;
  try {
    if (first) body = JSON.parse(first.body) as Record<string, unknown>;
  } catch {
    bodyIsJson = false;
  }
  const verdict = !first ? 'unresolved' : first.status >= 200 && first.status < 300 ? 'acknowledged' : 'refused';
  const business =
    verdict === 'refused'
      ? (/\/(insufficient-funds|account-not-found|balance-limit-exceeded|same-account)$/.exec(
          String(body.type ?? ''),
        )?.[1] ?? null)
      : null;
  // account-not-found that names no account id was answered before any command ran (opening names
  // none; an unknown account number or a malformed id in the path): nothing is recorded for it.
  const rejection =
    business === 'account-not-found' && (request.kind === 'open' || typeof body.accountId !== 'string')
      ? null
      : business;
  return { key, commandId, request, finals, first, body, bodyIsJson, command, verdict, rejection };
}

const answers = (ledger: Ledger, observations: Observation[]) => observations.map((o) => answerOf(o, ledger));

/** The AccountOpened of an account, if the ledger has that account. */
const openedEvent = (ledger: Ledger, accountId: string | undefined) =>
  accountId
    ? ledger.streams.get(`account-${accountId.toLowerCase()}`)?.find((e) => e.type === 'AccountOpened')
    : undefined;

/** [response-divergence] all final (not 5xx, 409 or 429) responses for one key are identical. */
export function finalResponsesAgree(ledger: Ledger, observations: Observation[]): string[] {
  return answers(ledger, observations).flatMap(({ commandId, finals }) => {
    const distinct = new Set(finals.map((r) => `${r.status} ${r.body}`));
    return distinct.size > 1
      ? [
          violation(
            'response-divergence',
            `${commandId}: ${distinct.size} different final responses: ${[...distinct].map((d) => d.slice(0, 160)).join(' | ')}`,
          ),
        ]
      : [];
  });
}

/** [double-execution] at most one final response per key is a first execution (not a replay). */
export function executedAtMostOnce(ledger: Ledger, observations: Observation[]): string[] {
  return answers(ledger, observations).flatMap(({ commandId, finals }) => {
    const firstExecutions = finals.filter((r) => r.replayed === false).length;
    return firstExecutions > 1
      ? [
          violation(
            'double-execution',
            `${commandId}: ${firstExecutions} final responses were first executions (not replays)`,
          ),
        ]
      : [];
  });
}

/** [ack-lost] every 2xx has its committed command. */
export function acknowledgedCommandsExist(ledger: Ledger, observations: Observation[]): string[] {
  return answers(ledger, observations).flatMap(({ commandId, first, command, verdict }) =>
    verdict === 'acknowledged' && !command
      ? [
          violation(
            'ack-lost',
            `${commandId}: acknowledged ${first!.status} ${first!.body.slice(0, 160)}, but no command row`,
          ),
        ]
      : [],
  );
}

/** [ack-mismatch] a final response is JSON; a 2xx body matches the stored outcome and the events it reports. */
export function acknowledgementsMatchStore(ledger: Ledger, observations: Observation[]): string[] {
  const found: string[] = [];
  for (const answer of answers(ledger, observations)) {
    const { commandId, first, command } = answer;
    if (first && !answer.bodyIsJson)
      found.push(
        violation(
          'ack-mismatch',
          `${commandId}: final response ${first.status} is not JSON: ${first.body.slice(0, 120)}`,
        ),
      );
    if (answer.verdict === 'acknowledged' && command) {
      const fail = (message: string) => violation('ack-mismatch', `${commandId}: ${message}`);
      found.push(
        ...acknowledgementMismatches(answer, command, ledger.eventsByCommand.get(commandId) ?? [], ledger).map(fail),
      );
    }
  }
  return found;
}

function acknowledgementMismatches(
  { key, request, body }: Answer,
  command: CommandRow,
  events: EventRow[],
  ledger: Ledger,
): string[] {
  if (command.outcome?.status !== 'accepted') return [`acknowledged, but the stored command was ${command.status}`];
  const r = command.outcome.result;
  const differ = (acked: unknown, stored: unknown) =>
    JSON.stringify(acked) !== JSON.stringify(stored)
      ? [`acknowledged ${JSON.stringify(acked)}, stored outcome ${JSON.stringify(stored)}`]
      : [];
  if (request.kind === 'transfer') {
    const acked = {
      transferId: body.transferId,
      from: body.from,
      toAccountNumber: body.toAccountNumber,
      amount: toCents(String(body.amount)),
      fromBalance: toCents(String(body.fromBalance)),
    };
    const stored = {
      transferId: r.transferId,
      from: r.fromAccountId,
      toAccountNumber: r.toAccountNumber,
      amount: r.amountCents,
      fromBalance: r.fromBalanceCents,
    };
    const found = differ(acked, stored);
    const fields = Object.keys(body).sort().join(',');
    if (fields !== TRANSFER_ACK_FIELDS)
      found.push(`acknowledged the fields ${fields}, not exactly ${TRANSFER_ACK_FIELDS}`);
    if (body.toAccountNumber !== request.body.toAccountNumber)
      found.push(`acknowledged a transfer to ${String(body.toAccountNumber)}, sent to ${request.body.toAccountNumber}`);
    if (request.toAccountId && r.toAccountId !== request.toAccountId)
      found.push(`sent to the number of ${request.toAccountId}, stored a transfer into ${r.toAccountId}`);
    const destination = openedEvent(ledger, r.toAccountId);
    if (destination?.data.accountNumber !== body.toAccountNumber)
      found.push(
        `acknowledged ${String(body.toAccountNumber)}, but the destination ${r.toAccountId} has the number ${destination?.data.accountNumber}`,
      );
    // The answer carries the source's balance only; the destination's comes from its event.
    const out = events.find((e) => e.type === 'MoneyTransferredOut');
    const into = events.find((e) => e.type === 'MoneyTransferredIn');
    if (out?.data.balanceAfterCents !== acked.fromBalance || out?.data.amountCents !== acked.amount) {
      found.push(
        `acknowledged ${acked.amount} leaving ${acked.fromBalance}, the out event says ${out?.data.amountCents} leaving ${out?.data.balanceAfterCents}`,
      );
    }
    if (
      into?.stream_id !== `account-${r.toAccountId}` ||
      into.data.amountCents !== acked.amount ||
      into.data.balanceAfterCents !== r.toBalanceCents
    ) {
      found.push(
        `the in event (${into?.stream_id}: ${into?.data.amountCents} → ${into?.data.balanceAfterCents}) is not ${acked.amount} into account-${r.toAccountId} leaving ${r.toBalanceCents}`,
      );
    }
    return found;
  }
  if (request.kind === 'open') {
    const acked = {
      accountId: body.id,
      accountNumber: body.accountNumber,
      name: body.name,
      balance: toCents(String(body.balance)),
      version: body.version,
    };
    const stored = {
      accountId: r.accountId,
      accountNumber: r.accountNumber,
      name: r.owner,
      balance: r.balanceCents,
      version: r.version,
    };
    const found = differ(acked, stored);
    const opened = events.find((e) => e.type === 'AccountOpened');
    const recorded = {
      accountNumber: opened?.data.accountNumber,
      name: opened?.data.owner,
      customerId: opened?.data.customerId,
    };
    const expected = { accountNumber: body.accountNumber, name: request.body.name, customerId: request.customerId };
    if (JSON.stringify(recorded) !== JSON.stringify(expected))
      found.push(
        `opened ${JSON.stringify(expected)} (answer and request), AccountOpened says ${JSON.stringify(recorded)}`,
      );
    return [...found, ...balanceAtVersion(body, events)];
  }
  const acked = {
    accountId: body.accountId,
    balance: toCents(String(body.balance)),
    version: body.version,
    amount: toCents(String(body.amount)),
    commandId: body.commandId,
  };
  const stored = {
    accountId: r.accountId,
    balance: r.balanceCents,
    version: r.version,
    amount: r.amountCents,
    commandId: key,
  };
  return [...differ(acked, stored), ...balanceAtVersion(body, events)];
}

/** The acknowledged balance is the one the command's event at the acknowledged version records. */
function balanceAtVersion(body: Record<string, unknown>, events: EventRow[]): string[] {
  const event = events.find((e) => e.version === body.version);
  if (!event) return [`acknowledged version ${String(body.version)}, but the command has no event at that version`];
  const after = event.type === 'AccountOpened' ? 0 : event.data.balanceAfterCents;
  return after !== toCents(String(body.balance))
    ? [`acknowledged balance ${String(body.balance)}, event v${event.version} says ${after} cents`]
    : [];
}

/**
 * [rejection-mismatch] a 4xx business rejection matches the stored rejection. account-not-found is
 * stored as AccountNotFound for an account that does not exist and as NotOwner for someone else's
 * (one answer for both, so existence does not leak; the store tells them apart).
 */
export function rejectionsMatchStore(ledger: Ledger, observations: Observation[]): string[] {
  const found: string[] = [];
  for (const { commandId, request, first, body, command, rejection } of answers(ledger, observations)) {
    if (!rejection) continue;
    if (!command) {
      found.push(
        violation(
          'rejection-mismatch',
          `${commandId}: ${first!.status} ${rejection}, but no command row records the rejection`,
        ),
      );
      continue;
    }
    let code = REJECTION_CODE[rejection];
    if (rejection === 'account-not-found') {
      const opened = openedEvent(ledger, String(body.accountId));
      if (opened && opened.data.customerId === request.customerId) {
        found.push(
          violation(
            'rejection-mismatch',
            `${commandId}: answered account-not-found for ${String(body.accountId)}, an account of the customer who sent it`,
          ),
        );
        continue;
      }
      if (opened) code = 'NotOwner';
    }
    const stored = command.outcome?.status === 'rejected' ? command.outcome.rejection : null;
    if (
      command.status !== 'rejected' ||
      !stored ||
      stored.code !== code ||
      ('accountId' in body && stored.accountId !== body.accountId)
    ) {
      found.push(
        violation(
          'rejection-mismatch',
          `${commandId}: answered ${rejection} (${code}), stored ${command.status} ${JSON.stringify(command.outcome).slice(0, 160)}`,
        ),
      );
    } else if (
      code === 'InsufficientFunds' &&
      (toCents(String(body.balance)) !== stored.balanceCents ||
        toCents(String(body.requested)) !== stored.requestedCents)
    ) {
      found.push(
        violation(
          'rejection-mismatch',
          `${commandId}: answered balance ${String(body.balance)} requested ${String(body.requested)}, stored ${stored.balanceCents}/${stored.requestedCents}`,
        ),
      );
    }
  }
  return found;
}

/** [request-mismatch] the command stored under a key is the request sent with it (unresolved, acknowledged or rejected keys). */
export function storedCommandsMatchRequests(ledger: Ledger, observations: Observation[]): string[] {
  const found: string[] = [];
  for (const { commandId, request, command, verdict, rejection } of answers(ledger, observations)) {
    if (!command || (verdict === 'refused' && !rejection)) continue;
    const expectedType = COMMAND_OF_KIND[request.kind];
    if (command.type !== expectedType) {
      found.push(violation('request-mismatch', `${commandId}: sent as ${request.kind}, stored as ${command.type}`));
      continue;
    }
    const accounts =
      request.kind === 'transfer'
        ? [request.body.from, request.toAccountId]
        : request.kind === 'open'
          ? []
          : [request.accountId];
    for (const account of accounts) {
      if (account && !(command.stream_ids ?? []).includes(`account-${account.toLowerCase()}`)) {
        found.push(
          violation(
            'request-mismatch',
            `${commandId}: sent for account ${account}, stored for ${(command.stream_ids ?? []).join(', ')}`,
          ),
        );
      }
    }
    const sentCents = toCents(request.kind === 'open' ? (request.body.openingDeposit ?? '0') : request.body.amount);
    if (command.outcome?.status === 'accepted' && command.outcome.result.amountCents !== sentCents) {
      found.push(
        violation(
          'request-mismatch',
          `${commandId}: sent ${sentCents} cents, stored outcome moved ${command.outcome.result.amountCents}`,
        ),
      );
    }
    if (
      request.kind === 'open' &&
      command.outcome?.status === 'accepted' &&
      command.outcome.result.owner !== request.body.name
    ) {
      found.push(
        violation(
          'request-mismatch',
          `${commandId}: sent the name ${JSON.stringify(request.body.name)}, stored ${JSON.stringify(command.outcome.result.owner)}`,
        ),
      );
    }
  }
  return found;
}

/** [command-unobserved] no command row that no client sent (unless allowed). */
export function everyCommandWasSent(
  { commands }: Ledger,
  observations: Observation[],
  options: CheckOptions,
): string[] {
  if (options.allowUnobservedCommands) return [];
  const sent = new Set(observations.map(commandIdOf));
  // The standing-order scheduler is a sender of its own: its command ids are derived, never a client's.
  const unobserved = commands.filter((c) => !sent.has(c.command_id) && !c.command_id.startsWith('standing-order:'));
  if (unobserved.length === 0) return [];
  return [
    violation(
      'command-unobserved',
      `${unobserved.length} command row(s) no client sent: ${unobserved
        .slice(0, 5)
        .map((c) => `${c.command_id} (${c.type})`)
        .join(', ')}`,
    ),
  ];
}
