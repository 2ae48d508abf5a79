// "JetStream as the event store": the same job with NATS JetStream (Debian's nats-server, file
// storage) holding the events instead of PostgreSQL, the way a team asking "why not Kafka?" would
// build it on a broker that has more than Kafka offers:
//  - one subject per account (`bench.account.<id>`); every event carries the balance after it, so
//    the state is loaded with ONE direct get of the subject's last message (no fold, no snapshot
//    store; the account's opening facts the writer learned when it opened the account);
//  - decide with Idem's own pure decider;
//  - append with `expect.lastSubjectSequence` = the loaded message's sequence (a conditional append
//    per subject; error 10071 = someone appended first → re-load, re-decide, after Idem's backoff);
//  - Nats-Msg-Id = the command id: a repeat within the stream's duplicate window is acknowledged
//    as a duplicate and stores nothing. Outside the window nothing remembers the command, and a
//    rejected command (insufficient funds) is not recorded at all: no stored outcome to replay.
// nats-server is started by this process (one per cell); its CPU is counted as "other".
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { decide, type Account, type AccountCommand } from '../../lib/accounts/domain/account';
import type { AccountId } from '../../lib/accounts/domain/account-id';
import { legacyAccountNumber } from '../../lib/accounts/domain/account-number';
import { startNatsServer, type NatsServer } from '../../lib/cluster/nats';
import { connectNats } from '../../lib/streaming/connection';
import { backoffMs, sleep, type OpOutcome } from '../measurement/closed-loop';
import { accountBook, BENCH_CUSTOMER, metadataOf, moneyCommand, OPENING_DEPOSIT_CENTS, type Appender } from './job';
import { newId } from './payload';

const STREAM = 'BENCH_ACCOUNTS';
const MAX_ATTEMPTS = 30;
const WRONG_LAST_SEQUENCE = 10071;
const OPENED_AT = new Date('2026-01-01T00:00:00Z');

type MoneyCommand = Exclude<AccountCommand, { type: 'OpenAccount' }>;
type Stored = { type: string; data: { balanceAfterCents?: number }; metadata: unknown };

const subjectOf = (accountId: string) => `bench.account.${accountId}`;

export function jetstreamAppender(): Appender {
  const accounts = accountBook();
  let started: Promise<{ server: NatsServer; nc: NatsConnection; js: JetStreamClient }> | null = null;
  const nats = () =>
    (started ??= (async () => {
      const server = await startNatsServer();
      const nc = await connectNats(server.url, 'bench-jetstream');
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: STREAM, subjects: ['bench.account.>'], duplicate_window: nanos(120_000) });
      return { server, nc, js: jetstream(nc, { timeout: 10_000 }) };
    })());

  const stateOf = (accountId: AccountId, balanceCents: number): Account => ({
    status: 'open',
    accountId,
    accountNumber: legacyAccountNumber(accountId),
    customerId: BENCH_CUSTOMER,
    owner: 'Bench',
    balanceCents,
    openedAt: OPENED_AT.toISOString(),
  });

  /** The state and the subject's last sequence, from one direct get of its last message. */
  async function load(accountId: AccountId): Promise<{ state: Account; seq: number }> {
    const { nc } = await nats();
    const jsm = await jetstreamManager(nc);
    const last = await jsm.streams.getMessage(STREAM, { last_by_subj: subjectOf(accountId) });
    if (!last) throw new Error(`account ${accountId} has no events`);
    const event = last.json<Stored>();
    return { state: stateOf(accountId, event.data.balanceAfterCents ?? 0), seq: last.seq };
  }

  async function attempt(command: MoneyCommand): Promise<'done' | 'rejected' | 'conflict'> {
    const { js } = await nats();
    const { accountId } = command.data;
    const { state, seq } = await load(accountId);
    const decision = decide(command, state);
    if (!decision.ok) return 'rejected';
    const event = decision.events[0]!;
    try {
      await js.publish(subjectOf(accountId), JSON.stringify({ ...event, metadata: metadataOf(command) }), {
        msgID: command.metadata.commandId,
        expect: { lastSubjectSequence: seq },
      });
      return 'done'; // a duplicate ack (the same command id within the window) stored nothing: also done
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) return 'conflict';
      throw error;
    }
  }

  return {
    name: 'JetStream as the event store',
    async open(key) {
      const { js } = await nats();
      const accountId = newId() as AccountId;
      const subject = subjectOf(accountId);
      await js.publish(subject, JSON.stringify({ type: 'AccountOpened', data: { accountId }, metadata: {} }), {
        expect: { lastSubjectSequence: 0 },
      });
      await js.publish(
        subject,
        JSON.stringify({ type: 'MoneyDeposited', data: { balanceAfterCents: OPENING_DEPOSIT_CENTS }, metadata: {} }),
      );
      accounts.set(key, accountId);
    },
    async append(key, _worker, seq): Promise<OpOutcome> {
      const command = moneyCommand(accounts.of(key), seq) as MoneyCommand;
      let conflicts = 0;
      for (let n = 1; n <= MAX_ATTEMPTS; n++) {
        const outcome = await attempt(command);
        if (outcome === 'done') return { conflicts };
        if (outcome === 'rejected') return { conflicts, failed: true };
        conflicts++;
        if (n < MAX_ATTEMPTS) await sleep(backoffMs(n));
      }
      return { conflicts, failed: true, busy: true };
    },
    async streamLength(key) {
      const { nc } = await nats();
      const subject = subjectOf(accounts.of(key));
      const info = await (await jetstreamManager(nc)).streams.info(STREAM, { subjects_filter: subject });
      return info.state.subjects?.[subject] ?? 0;
    },
    async close() {
      if (!started) return;
      const { server, nc } = await started;
      await nc.close();
      await server.stop();
    },
  };
}
