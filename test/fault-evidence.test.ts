// The fault-evidence helpers judge whether a fault struck and was absorbed; each must fail when the
// property it guards is violated, so each gets a planted violation here (as test/invariants.cluster.test.ts
// does for the ledger invariants).
import { describe, expect, it } from 'vitest';
import { errorKind, newInstanceErrors } from '../lib/cluster/instance-log';
import {
  countLines,
  cutAfterRecording,
  cutAttempts,
  DUPLICATE_KEY,
  expectCleanLogs,
  expectCutCommandsReplayed,
  expectOnly503s,
  isCutInFlight,
  unavailableLines,
} from './fault-evidence';
import { commandIdOf, type Observation, type ObservedResponse } from './invariants';
import type { CutRecord } from './tcp-proxy';

const CUSTOMER = 'customer-1';
const VICTIM = 1;

function observation(key: string, responses: ObservedResponse[]): Observation {
  return {
    key,
    request: {
      kind: 'deposit',
      customerId: CUSTOMER,
      accountId: 'a',
      path: '/api/accounts/a/deposits',
      body: { amount: '1.00' },
    },
    responses,
  };
}
const client = (...observations: Observation[]) => ({ list: () => observations });

const reset = (send: number, at = 0): ObservedResponse => ({
  status: 0,
  body: '',
  instance: VICTIM,
  send,
  error: 'ECONNRESET',
  at,
  ms: 5,
});
const answer = (
  status: number,
  instance: number,
  send: number,
  replayed: boolean,
  at = 0,
  ms = 5,
): ObservedResponse => ({
  status,
  body: '{}',
  instance,
  send,
  replayed,
  at,
  ms,
});

describe('errorKind', () => {
  it('a 500 line and an uncaught error are errors; a 503 line is not', () => {
    expect(errorKind('{"msg":"unexpected error in API route"}')).toBe('internal');
    expect(errorKind('uncaughtException')).toBe('uncaught');
    expect(errorKind('{"msg":"database unavailable"}')).toBeNull();
  });
});

describe('expectCleanLogs', () => {
  const instance = (errors = newInstanceErrors()) => ({ index: 0, errors, notices: { unavailable: 2 } });
  it('passes a clean log and fails each planted error, an unexpected exit included', () => {
    expect(() => expectCleanLogs({ instances: [instance()] } as never)).not.toThrow();
    for (const planted of [{ internal: 1 }, { uncaught: 1 }, { unexpectedExits: 1 }]) {
      expect(
        () => expectCleanLogs({ instances: [instance({ ...newInstanceErrors(), ...planted })] } as never),
        JSON.stringify(planted),
      ).toThrow();
    }
    expect(unavailableLines({ instances: [instance(), instance()] } as never)).toBe(4);
  });
});

describe('expectOnly503s', () => {
  it('fails on a 500, retried or not', () => {
    expect(() => expectOnly503s({ stats: { byStatus: { 201: 3, 503: 2 } } } as never)).not.toThrow();
    expect(() => expectOnly503s({ stats: { byStatus: { 201: 3, 500: 1 } } } as never)).toThrow();
  });
});

describe('isCutInFlight', () => {
  it('a reset connection is a cut; a refused one (nothing listening) or a timeout is not', () => {
    for (const kind of ['ECONNRESET', 'UND_ERR_SOCKET', 'other side closed', 'EPIPE', 'socket hang up'])
      expect(isCutInFlight(kind), kind).toBe(true);
    for (const kind of ['ECONNREFUSED', 'The operation was aborted due to timeout', undefined])
      expect(isCutInFlight(kind), String(kind)).toBe(false);
  });
});

describe('cutAttempts and cutAfterRecording', () => {
  // Send 1 is cut on the victim and retried on a survivor, where it gets a replay.
  const cutThenReplay = [reset(1), answer(201, 2, 1, true)];

  it('a cut send answered by a replay, no send answered first-hand: the cut attempt recorded the command', () => {
    const o = observation('k', cutThenReplay);
    expect(cutAttempts(client(o), VICTIM)).toMatchObject([
      { cut: { send: 1 }, final: { status: 201, replayed: true }, firstHand: false },
    ]);
    expect(cutAfterRecording(client(o), VICTIM)).toEqual([o]);
  });

  it('planted: a duplicate copy answered first-hand on a survivor → the cut key is no evidence', () => {
    const o = observation('k', [...cutThenReplay, answer(201, 0, 2, false)]);
    expect(cutAttempts(client(o), VICTIM)).toMatchObject([{ firstHand: true }]);
    expect(cutAfterRecording(client(o), VICTIM)).toEqual([]);
  });

  it('planted: a refused connection, a cut on another instance, a cut retried first-hand → none counts', () => {
    const refused = observation('refused', [{ ...reset(1), error: 'ECONNREFUSED' }, answer(201, 2, 1, true)]);
    const elsewhere = observation('elsewhere', [{ ...reset(1), instance: 0 }, answer(201, 2, 1, true)]);
    const firstHand = observation('first-hand', [reset(1), answer(201, 2, 1, false)]);
    expect(cutAttempts(client(refused, elsewhere), VICTIM)).toEqual([]);
    expect(cutAfterRecording(client(refused, elsewhere, firstHand), VICTIM)).toEqual([]);
  });
});

describe('expectCutCommandsReplayed', () => {
  const PROXIED = 0;
  const o = (responses: ObservedResponse[]) => observation('cut-key', responses);
  const record = (observations: Observation[], overrides: Partial<CutRecord> = {}): CutRecord => ({
    sql: 'INSERT INTO commands …',
    protocol: 'extended',
    inTransaction: false,
    connection: 1,
    serverReply: 'committed',
    at: 105,
    parameters: observations.map((x) => JSON.stringify(commandIdOf(x))).join(','),
    ...overrides,
  });
  // The attempt on the proxied instance spans 100..110 and contains the cut (105); the retry comes later.
  const good = () => o([answer(503, PROXIED, 1, false, 100, 10), answer(201, 1, 1, true, 120)]);

  it('passes the cut attempt answered 503, then only replays', () => {
    const ok = good();
    expect(expectCutCommandsReplayed(client(ok), [record([ok])], PROXIED)).toBe(1);
  });

  it("planted: PostgreSQL's verdict unknown ('none') fails", () => {
    const ok = good();
    expect(() => expectCutCommandsReplayed(client(ok), [record([ok], { serverReply: 'none' })], PROXIED)).toThrow(
      /verdict/,
    );
  });

  it('planted: the outcome heard first-hand fails', () => {
    const heard = o([answer(503, PROXIED, 1, false, 100, 10), answer(201, 1, 1, false, 120)]);
    expect(() => expectCutCommandsReplayed(client(heard), [record([heard])], PROXIED)).toThrow();
  });

  it('planted: the 503 came from another attempt on the instance, not the one the cut struck', () => {
    // The cut attempt (100..110) was answered by a replay; an earlier attempt (50..60) got the 503.
    const other = o([answer(503, PROXIED, 1, false, 50, 10), answer(201, PROXIED, 2, true, 100, 10)]);
    expect(() => expectCutCommandsReplayed(client(other), [record([other])], PROXIED)).toThrow();
  });

  it('planted: no attempt in flight at the cut, or a committed cut naming no command, fails', () => {
    const late = o([answer(503, PROXIED, 1, false, 200, 10), answer(201, 1, 1, true, 220)]);
    expect(() => expectCutCommandsReplayed(client(late), [record([late])], PROXIED)).toThrow();
    expect(() => expectCutCommandsReplayed(client(good()), [record([], { parameters: 'nothing' })], PROXIED)).toThrow();
  });

  it('a cut PostgreSQL refused (rolled back) recorded nothing and is skipped', () => {
    expect(
      expectCutCommandsReplayed(client(), [record([], { serverReply: 'rolled-back', parameters: '' })], PROXIED),
    ).toBe(0);
  });
});

describe("PostgreSQL's own count of duplicate keys (DUPLICATE_KEY over its server log)", () => {
  it('counts each refused statement once: its ERROR line, not its DETAIL or STATEMENT lines, nor other errors', () => {
    const log = [
      '2026-12-06 03:04:00.123 UTC [1234] ERROR:  duplicate key value violates unique constraint "events_stream_id_version_key"',
      '2026-12-06 03:04:00.123 UTC [1234] DETAIL:  Key (stream_id, version)=(account-1, 7) already exists.',
      '2026-12-06 03:04:00.123 UTC [1234] STATEMENT:  WITH c AS (INSERT INTO commands …) — duplicate key value violates unique constraint',
      '2026-12-06 03:04:00.200 UTC [1235] ERROR:  duplicate key value violates unique constraint "commands_pkey"',
      '2026-12-06 03:04:01.000 UTC [1236] ERROR:  canceling statement due to user request',
      '2026-12-06 03:04:01.000 UTC [1236] LOG:  duplicate key value violates unique constraint (not an error line)',
    ].join('\n');
    expect(countLines(log, DUPLICATE_KEY)).toBe(2);
    expect(countLines('', DUPLICATE_KEY)).toBe(0);
  });
});
