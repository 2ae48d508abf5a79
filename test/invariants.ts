// The invariant checker of the storm and fault tests. Given a connection to the database and what
// the clients saw (per Idempotency-Key: the request and every response), it checks the whole ledger
// against every invariant and throws an InvariantViolation listing every broken rule, or returns
// counts. One function per invariant (test/invariants/*), each named for what it checks; the code in
// brackets starts each of its violation lines:
//
//  [stream-gap]              streamVersionsAreContiguous
//  [stream-shape]            streamsAreAccountStreams
//  [balance-chain]           balanceChainHolds
//  [balance-negative]        balancesNeverNegative
//  [projection-balance]      balanceProjectionMatchesReplay
//  [projection-transactions] transactionProjectionMatchesReplay
//  [command-duplicate]       commandRowsAreUnique
//  [command-key]             commandKeysMatchIds
//  [event-orphan]            eventsHaveCommands
//  [command-streams]         commandEventsInNamedStreams
//  [command-versions]        commandVersionsAreConsecutive
//  [command-commit]          commandWritesShareOneCommit
//  [command-events]          commandEventsMatchOutcome
//  [command-outcome]         commandOutcomesMatchEvents
//  [response-divergence]     finalResponsesAgree
//  [double-execution]        executedAtMostOnce
//  [ack-lost]                acknowledgedCommandsExist
//  [ack-mismatch]            acknowledgementsMatchStore
//  [rejection-mismatch]      rejectionsMatchStore
//  [request-mismatch]        storedCommandsMatchRequests
//  [command-unobserved]      everyCommandWasSent
//  [stream-owner]            eventStreamsBelongToCommandCustomer
//  [standing-order-shape]    standingOrderStreamsAreWellFormed
//  [standing-order-command]  standingOrderCommandsMatchEvents
//  [standing-order-once]     standingOrdersPayOnce
import type pg from 'pg';
import * as clients from './invariants/client-invariants';
import * as commands from './invariants/command-invariants';
import * as ownership from './invariants/ownership-invariants';
import { loadLedger, type CheckOptions, type Invariant, type Ledger, type Observation } from './invariants/ledger';
import * as streams from './invariants/stream-invariants';
import * as standingOrders from './invariants/standing-order-invariants';

export * from './invariants/client-invariants';
export * from './invariants/command-invariants';
export * from './invariants/stream-invariants';
export * from './invariants/ownership-invariants';
export * from './invariants/standing-order-invariants';
export { commandIdOf, isFinalStatus, loadLedger, toCents } from './invariants/ledger';
export type { CheckOptions, Invariant, Observation, ObservedRequest, ObservedResponse } from './invariants/ledger';

const INVARIANTS: readonly Invariant[] = [
  streams.streamVersionsAreContiguous,
  streams.streamsAreAccountStreams,
  streams.balanceChainHolds,
  streams.balancesNeverNegative,
  streams.balanceProjectionMatchesReplay,
  streams.transactionProjectionMatchesReplay,
  commands.commandRowsAreUnique,
  commands.commandKeysMatchIds,
  commands.eventsHaveCommands,
  commands.commandEventsInNamedStreams,
  commands.commandVersionsAreConsecutive,
  commands.commandWritesShareOneCommit,
  commands.commandEventsMatchOutcome,
  commands.commandOutcomesMatchEvents,
  clients.finalResponsesAgree,
  clients.executedAtMostOnce,
  clients.acknowledgedCommandsExist,
  clients.acknowledgementsMatchStore,
  clients.rejectionsMatchStore,
  clients.storedCommandsMatchRequests,
  clients.everyCommandWasSent,
  ownership.eventStreamsBelongToCommandCustomer,
  standingOrders.standingOrderStreamsAreWellFormed,
  standingOrders.standingOrderCommandsMatchEvents,
  standingOrders.standingOrdersPayOnce,
];

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
    super(
      `${violations.length} invariant violation(s):\n- ${shown.join('\n- ')}${violations.length > shown.length ? `\n… and ${violations.length - shown.length} more` : ''}`,
    );
    this.name = 'InvariantViolation';
  }
}

type Queryable = pg.Client | pg.PoolClient | pg.Pool;

export async function checkInvariants(
  db: Queryable,
  observations: Observation[],
  options: CheckOptions = {},
): Promise<InvariantReport> {
  const ledger = await loadLedger(db);
  const violations = INVARIANTS.flatMap((invariant) => invariant(ledger, observations, options));
  if (violations.length > 0) throw new InvariantViolation(violations);
  return report(ledger, observations);
}

function report(ledger: Ledger, observations: Observation[]): InvariantReport {
  const answers = observations.map((o) => clients.answerOf(o, ledger));
  const count = (keep: (a: (typeof answers)[number]) => boolean) => answers.filter(keep).length;
  return {
    streams: ledger.streams.size,
    events: ledger.events.length,
    commands: ledger.commands.length,
    acceptedCommands: [...ledger.commandsById.values()].filter(([c]) => c?.status === 'accepted').length,
    rejectedCommands: [...ledger.commandsById.values()].filter(([c]) => c?.status === 'rejected').length,
    keys: observations.length,
    acknowledged: count((a) => a.verdict === 'acknowledged'),
    refused: count((a) => a.verdict === 'refused'),
    unresolved: count((a) => a.verdict === 'unresolved'),
    unresolvedCommitted: count((a) => a.verdict === 'unresolved' && a.command !== undefined),
    responses: observations.reduce((n, o) => n + o.responses.length, 0),
    finalResponses: answers.reduce((n, a) => n + a.finals.length, 0),
    answeredOnlyByReplay: count((a) => a.first !== undefined && !a.finals.some((r) => r.replayed === false)),
    totalBalanceCents: ledger.accounts.reduce((sum, a) => sum + a.balance, 0),
  };
}
