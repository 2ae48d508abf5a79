// A Jepsen-style history of the failover storm (test/ha-failover.cluster.test.ts): every HTTP attempt
// is an operation that ended `ok` (2xx: acknowledged), `fail` (a definite refusal: 4xx other than 409
// and 429, nothing or a rejection recorded) or `info` (unknown: no answer, a timeout, 5xx, 409 busy,
// 429). The checker is pure: it reads the history and what the log holds per command id, and lists
// every violation of the rules below. Its unit test plants histories that must fail.
import { commandIdOf, type Observation } from '../invariants';

export type OpType = 'ok' | 'fail' | 'info';
export type HistoryOp = {
  /** The engine's command id (the customer's key). */
  key: string;
  type: OpType;
  status: number;
  /** When the attempt was sent and how long it took (ms). */
  at: number;
  ms: number;
  replayed: boolean;
};

/** What the log holds for one command id: its command rows, its status, the commits its events came in. */
type LoggedCommand = { rows: number; status: 'accepted' | 'rejected'; events: number; commits: number };
export type LogFacts = Map<string, LoggedCommand>;

export function classify(status: number): OpType {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500 && status !== 409 && status !== 429) return 'fail';
  return 'info';
}

export function historyOf(observations: Observation[]): HistoryOp[] {
  return observations
    .flatMap((o) =>
      o.responses.map((r) => ({
        key: commandIdOf(o),
        type: classify(r.status),
        status: r.status,
        at: r.at ?? 0,
        ms: r.ms ?? 0,
        replayed: r.replayed === true,
      })),
    )
    .sort((a, b) => a.at - b.at);
}

export type HistoryReport = {
  operations: number;
  keys: number;
  ok: number;
  fail: number;
  info: number;
  /** Keys with at least one `info` attempt before their answer. */
  keysWithInfo: number;
  /** Of those, the ones whose answer was a replay: the unknown attempt had committed. */
  infoThenReplayed: number;
  /** Acknowledged (2xx) keys whose command is not in the log exactly once: the goal is 0. */
  acknowledgedLost: number;
  violations: string[];
};

/**
 * The rules: every acknowledged command is in the log exactly once, in one commit; a command that was
 * only ever refused (4xx) has no accepted record; every key got an answer (an `info` is retried with its
 * key until it does), and whatever it was, the command was decided once — never two records, never
 * events from two commits.
 */
export function checkHistory(history: HistoryOp[], log: LogFacts): HistoryReport {
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  const violations: string[] = [];
  let acknowledgedLost = 0;
  let keysWithInfo = 0;
  let infoThenReplayed = 0;
  for (const [key, ops] of byKey) {
    const logged = log.get(key);
    const ok = ops.filter((o) => o.type === 'ok');
    const infos = ops.filter((o) => o.type === 'info');
    if (logged && (logged.rows !== 1 || logged.commits > 1))
      violations.push(`[decided-twice] ${key}: ${logged.rows} command row(s), events from ${logged.commits} commit(s)`);
    if (ok.length > 0 && (!logged || logged.status !== 'accepted' || logged.rows < 1)) {
      acknowledgedLost += 1;
      violations.push(`[acknowledged-lost] ${key}: answered ${ok[0]!.status} but ${logged ? logged.status : 'absent'}`);
    }
    if (ok.length === 0 && ops.some((o) => o.type === 'fail') && logged?.status === 'accepted')
      violations.push(`[refused-applied] ${key}: only refused, yet accepted in the log`);
    if (ok.length === 0 && !ops.some((o) => o.type === 'fail'))
      violations.push(`[unanswered] ${key}: ${ops.length} attempt(s), none answered`);
    if (infos.length > 0) {
      keysWithInfo += 1;
      const answer = ops.find((o) => o.type !== 'info' && o.at >= infos[0]!.at);
      if (answer?.replayed) infoThenReplayed += 1;
    }
  }
  const count = (type: OpType) => history.filter((o) => o.type === type).length;
  return {
    operations: history.length,
    keys: byKey.size,
    ok: count('ok'),
    fail: count('fail'),
    info: count('info'),
    keysWithInfo,
    infoThenReplayed,
    acknowledgedLost,
    violations,
  };
}

/**
 * Write unavailability after a fault at `faultAt`: until the first acknowledged write that was sent at
 * or after the fault had its answer (ms), or null if none came. A replay is a read of what committed
 * earlier, not a write: it does not count.
 */
export function unavailableAfter(history: HistoryOp[], faultAt: number): number | null {
  let best: number | null = null;
  for (const op of history)
    if (op.type === 'ok' && !op.replayed && op.at >= faultAt) {
      const done = op.at + op.ms - faultAt;
      if (best === null || done < best) best = done;
    }
  return best;
}

/** The log's facts per command id, from command rows and events (with the commit each came in). */
export function logFacts(
  commands: { command_id: string; status: string }[],
  events: { command_id: string; xmin: string }[],
): LogFacts {
  const facts: LogFacts = new Map();
  for (const c of commands) {
    const f = facts.get(c.command_id);
    if (f) f.rows += 1;
    else
      facts.set(c.command_id, {
        rows: 1,
        status: c.status === 'accepted' ? 'accepted' : 'rejected',
        events: 0,
        commits: 0,
      });
  }
  const commits = new Map<string, Set<string>>();
  for (const e of events) {
    const f = facts.get(e.command_id) ?? { rows: 0, status: 'accepted' as const, events: 0, commits: 0 };
    f.events += 1;
    facts.set(e.command_id, f);
    const set = commits.get(e.command_id) ?? new Set<string>();
    set.add(e.xmin);
    commits.set(e.command_id, set);
    f.commits = set.size;
  }
  return facts;
}
