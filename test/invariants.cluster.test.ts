// The invariant checker must be able to fail: a real ledger written through the API (one instance,
// duplicates, an overdraft, an unknown account) passes; then each planted violation — inside a
// transaction the checker reads through and that is rolled back afterwards — is reported by the
// invariant function that owns its rule, and by the whole check that composes them.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopedCommandId } from '../lib/accounts/ids';
import { commandKeyOf } from '@/lib/event-store';
import type { ApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';
import * as invariants from './invariants';
import { checkInvariants, InvariantViolation, loadLedger, type Invariant, type Observation } from './invariants';
import { StormClient, stormCustomers } from './storm';

let cluster: Cluster;
let db: pg.Client;
let observations: Observation[];
let alice: ApiCustomer;
let bob: ApiCustomer;
let accountA: string;
let accountB: string;
let numberB: string;
const keys = { withdrawal: '', overdraft: '', unknown: '', deposit: '', transfer: '', intrusion: '' };
/** The command id of a key: Alice's unless said otherwise (the deposit and the intrusion are Bob's). */
const id = (key: string, customer: ApiCustomer = key === keys.deposit || key === keys.intrusion ? bob : alice) =>
  scopedCommandId(customer.id, key);

beforeAll(async () => {
  cluster = await startCluster({ instances: 1, poolSize: 5 });
  // Alice sends with two API keys in turn, Bob with one; each owns one account.
  [alice, bob] = (await stormCustomers(cluster.urls(), [2, 1])) as [ApiCustomer, ApiCustomer];
  const client = new StormClient(cluster.urls, [alice, bob]);
  accountA = await client.openAccount(alice, 'Alice', '100.00');
  accountB = await client.openAccount(bob, 'Bob', '0.00');
  numberB = client.account(accountB).accountNumber;
  keys.withdrawal = `w-${randomUUID()}`;
  keys.overdraft = `o-${randomUUID()}`;
  keys.unknown = `u-${randomUUID()}`;
  keys.deposit = `d-${randomUUID()}`;
  keys.transfer = `t-${randomUUID()}`;
  keys.intrusion = `i-${randomUUID()}`;
  // Duplicates of each key race each other (Alice's under both of her API keys).
  await Promise.all([
    client.withdraw(accountA, '30.00', keys.withdrawal, { instance: 0, apiKey: 0 }),
    client.withdraw(accountA, '30.00', keys.withdrawal, { instance: 0, apiKey: 1 }),
    client.deposit(accountB, '5.50', keys.deposit, { instance: 0 }),
    client.deposit(accountB, '5.50', keys.deposit, { instance: 0 }),
  ]);
  await Promise.all([
    client.withdraw(accountA, '500.00', keys.overdraft, { instance: 0 }),
    client.withdraw(accountA, '500.00', keys.overdraft, { instance: 0 }),
    client.withdraw(randomUUID(), '1.00', keys.unknown, { instance: 0, as: alice.id }),
    // Bob reaching for Alice's account: 404 like an unknown one, recorded as NotOwner.
    client.withdraw(accountA, '1.00', keys.intrusion, { instance: 0, as: bob.id }),
  ]);
  for (let i = 0; i < 5; i++) await client.deposit(accountA, `${i + 1}.00`, randomUUID(), { instance: 0 });
  await Promise.all([
    client.transfer(accountA, accountB, '10.00', keys.transfer, { instance: 0 }),
    client.transfer(accountA, accountB, '10.00', keys.transfer, { instance: 0 }),
  ]);
  observations = client.list();
  db = new pg.Client({ connectionString: cluster.postgres.ownerUrl }); // plants corruption, DDL included
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await cluster?.stop();
});

type Planted = { whole: string; by: (invariant: Invariant) => string };

/**
 * Runs `plant` in a transaction, reads the ledger and runs the whole check through the same
 * connection, rolls back; returns the whole check's message and, per invariant, what it reports.
 */
async function plantAndCheck(
  plant: (db: pg.Client) => Promise<unknown>,
  observed: Observation[] = observations,
): Promise<Planted> {
  await db.query('BEGIN');
  try {
    await plant(db);
    const ledger = await loadLedger(db);
    const whole = await checkInvariants(db, observed).then(
      () => '',
      (error: unknown) => {
        if (error instanceof InvariantViolation) return error.message;
        throw error;
      },
    );
    if (!whole) throw new Error('the checker found nothing wrong');
    return { whole, by: (invariant) => invariant(ledger, observed, {}).join('\n') };
  } finally {
    await db.query('ROLLBACK');
  }
}

/** The planted violation is reported by `invariant` itself and by the whole check. */
function expectReported(planted: Planted, invariant: Invariant, expected: string | RegExp) {
  for (const [who, text] of [
    [invariant.name, planted.by(invariant)],
    ['checkInvariants', planted.whole],
  ] as const) {
    if (typeof expected === 'string') expect(text, who).toContain(expected);
    else expect(text, who).toMatch(expected);
  }
}

const stream = (accountId: string) => `account-${accountId}`;
/** The history rows of the command that is the statement's $1: those at the versions of its events (they name no command). */
const WRITTEN_BY = `('account-' || account_id, version) IN (SELECT stream_id, version FROM events WHERE command_key = idem_command_key($1))`;
const clone = (list: Observation[]) => JSON.parse(JSON.stringify(list)) as Observation[];

describe('invariant checker', () => {
  it('passes on the ledger the API wrote', async () => {
    const report = await checkInvariants(db, observations);
    expect(report).toMatchObject({
      streams: 2,
      events: 12,
      commands: 13,
      acceptedCommands: 10,
      rejectedCommands: 3,
      keys: 13,
      acknowledged: 10,
      refused: 3,
      unresolved: 0,
    });
    // Alice's withdrawal came under both of her API keys, one execution (checked above).
    expect(new Set(observations.find((o) => o.key === keys.withdrawal)!.responses.map((r) => r.apiKey))).toEqual(
      new Set([0, 1]),
    );
    expect(report.totalBalanceCents).toBe(100_00 - 30_00 + 15_00 + 5_50);
  });

  it('[stream-owner] a stream whose AccountOpened names another customer than the commands that moved its money', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE events SET data = jsonb_set(data, '{customerId}', '"intruder"') WHERE stream_id = $1 AND type = 'AccountOpened'`,
        [stream(accountA)],
      ),
    );
    expectReported(
      planted,
      invariants.eventStreamsBelongToCommandCustomer,
      `[stream-owner] MoneyWithdrawn v3 in ${stream(accountA)} by command ${id(keys.withdrawal)}: the stream belongs to intruder, not ${alice.id}`,
    );
    expectReported(
      planted,
      invariants.eventStreamsBelongToCommandCustomer,
      `[stream-owner] MoneyTransferredOut v9 in ${stream(accountA)} by command ${id(keys.transfer)}: the stream belongs to intruder, not ${alice.id}`,
    );
  });

  it("[stream-owner] and [command-events] Bob's refused withdrawal from Alice's account written after all", async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
         SELECT stream_id, (SELECT max(version) + 1 FROM events WHERE stream_id = e.stream_id), type, data, jsonb_set(metadata, '{commandId}', to_jsonb($2::text)), idem_command_key($2), created_at
           FROM events e WHERE command_key = idem_command_key($1)`,
        [id(keys.withdrawal), id(keys.intrusion)],
      ),
    );
    expectReported(
      planted,
      invariants.eventStreamsBelongToCommandCustomer,
      `[stream-owner] MoneyWithdrawn v10 in ${stream(accountA)} by command ${id(keys.intrusion)}: the stream belongs to ${alice.id}, not ${bob.id}`,
    );
    expectReported(
      planted,
      invariants.commandEventsMatchOutcome,
      `[command-events] ${id(keys.intrusion)} (WithdrawMoney, rejected): 1 event(s) MoneyWithdrawn`,
    );
  });

  it('[stream-gap] an event deleted from the middle of a stream', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`DELETE FROM events WHERE stream_id = $1 AND version = 3`, [stream(accountA)]),
    );
    expectReported(
      planted,
      invariants.streamVersionsAreContiguous,
      `[stream-gap] ${stream(accountA)}: versions 1,2,4,5,6,7,8,9 are not 1..8`,
    );
  });

  it('[stream-shape] an event that names another account than its stream', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE events SET data = jsonb_set(data, '{accountId}', '"someone-else"') WHERE command_key = idem_command_key($1)`,
        [id(keys.deposit)],
      ),
    );
    expectReported(
      planted,
      invariants.streamsAreAccountStreams,
      `[stream-shape] ${stream(accountB)} v2: data.accountId is someone-else`,
    );
  });

  it('[command-events] a duplicated event (the same command applied twice)', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
         SELECT stream_id, (SELECT max(version) + 1 FROM events WHERE stream_id = e.stream_id), type, data, metadata, command_key, created_at
           FROM events e WHERE command_key = idem_command_key($1)`,
        [id(keys.withdrawal)],
      ),
    );
    expectReported(
      planted,
      invariants.commandEventsMatchOutcome,
      `[command-events] ${id(keys.withdrawal)} (WithdrawMoney, accepted): events [MoneyWithdrawn,MoneyWithdrawn], expected exactly [MoneyWithdrawn]`,
    );
    expectReported(
      planted,
      invariants.commandWritesShareOneCommit,
      `[command-commit] ${id(keys.withdrawal)}: event ${stream(accountA)} v10 written by transaction`,
    );
    expectReported(planted, invariants.balanceChainHolds, `[balance-chain] ${stream(accountA)} v10 MoneyWithdrawn`);
  });

  it('[projection-balance] a balance row that is not the replay of its stream', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`UPDATE account_balances SET balance_cents = balance_cents + 1 WHERE account_id = $1`, [accountB]),
    );
    expectReported(
      planted,
      invariants.balanceProjectionMatchesReplay,
      new RegExp(
        `\\[projection-balance\\] ${accountB}: account_balances .*"balance":"1551".* ≠ replay .*"balance":"1550"`,
      ),
    );
  });

  it('[projection-transactions] a transaction row that differs from its event', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`UPDATE account_transactions SET amount_cents = amount_cents + 100 WHERE ${WRITTEN_BY}`, [
        id(keys.deposit),
      ]),
    );
    expectReported(planted, invariants.transactionProjectionMatchesReplay, `[projection-transactions] ${accountB}:`);
    expectReported(planted, invariants.transactionProjectionMatchesReplay, 'v2 deposit 650 → 550');
  });

  it('[command-commit] a transaction row written again by another transaction, equal to its event', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`UPDATE account_transactions SET amount_cents = amount_cents WHERE ${WRITTEN_BY}`, [id(keys.deposit)]),
    );
    expectReported(
      planted,
      invariants.commandWritesShareOneCommit,
      `[command-commit] ${id(keys.deposit)}: account_transactions row ${accountB} v2 written by transaction`,
    );
    expect(planted.by(invariants.transactionProjectionMatchesReplay)).toBe('');
  });

  it('[balance-negative] and [balance-chain] an event that overdraws', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE events SET data = data || '{"amountCents": 20000, "balanceAfterCents": -13000}'::jsonb WHERE command_key = idem_command_key($1)`,
        [id(keys.withdrawal)],
      ),
    );
    expectReported(
      planted,
      invariants.balancesNeverNegative,
      `[balance-negative] ${stream(accountA)} v3: balance -13000 after MoneyWithdrawn`,
    );
    expectReported(
      planted,
      invariants.balanceChainHolds,
      `[balance-chain] ${stream(accountA)} v3 MoneyWithdrawn: balanceAfterCents -13000, but 10000 − 20000 = -10000`,
    );
  });

  it('[command-duplicate] two command rows for one command id (its primary key dropped inside the transaction)', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query('ALTER TABLE commands DROP CONSTRAINT commands_pkey CASCADE');
      await c.query(`INSERT INTO commands SELECT * FROM commands WHERE command_id = $1`, [id(keys.deposit)]);
    });
    expectReported(planted, invariants.commandRowsAreUnique, `[command-duplicate] ${id(keys.deposit)}: 2 command rows`);
  });

  it('[event-orphan] an event whose command row is gone (its foreign key dropped inside the transaction)', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query('ALTER TABLE events DROP CONSTRAINT events_command_key_fkey');
      await c.query(
        `UPDATE events SET command_key = idem_command_key('vanished') WHERE command_key = idem_command_key($1)`,
        [id(keys.deposit)],
      );
    });
    expectReported(
      planted,
      invariants.eventsHaveCommands,
      `[event-orphan] 1 event(s) of command key ${commandKeyOf('vanished')}, which has no command row`,
    );
  });

  it('[command-key] a command row keyed by something else than its id (a retry would not find it)', async () => {
    const planted = await plantAndCheck((c) =>
      // The events follow the new key (ON UPDATE CASCADE): only the key's derivation is wrong.
      c.query(`UPDATE commands SET command_key = idem_command_key('another id') WHERE command_id = $1`, [
        id(keys.deposit),
      ]),
    );
    expectReported(
      planted,
      invariants.commandKeysMatchIds,
      `[command-key] ${id(keys.deposit)}: keyed ${commandKeyOf('another id')}, its id's key is ${commandKeyOf(id(keys.deposit))}`,
    );
  });

  it('[command-versions] a command whose two events are not at consecutive versions', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`UPDATE events SET version = 100 WHERE stream_id = $1 AND version = 2`, [stream(accountA)]),
    );
    const opening = (
      await db.query<{ command_id: string }>(
        `SELECT c.command_id FROM events e JOIN commands c ON c.command_key = e.command_key WHERE e.stream_id = $1 AND e.version = 1`,
        [stream(accountA)],
      )
    ).rows[0]!.command_id;
    expectReported(
      planted,
      invariants.commandVersionsAreConsecutive,
      `[command-versions] ${opening}: versions 1,100 in ${stream(accountA)} are not consecutive`,
    );
  });

  it('[ack-lost] an acknowledged command that is not in the database', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query(`DELETE FROM account_transactions WHERE ${WRITTEN_BY}`, [id(keys.deposit)]);
      await c.query(`DELETE FROM events WHERE command_key = idem_command_key($1)`, [id(keys.deposit)]);
      await c.query(`DELETE FROM commands WHERE command_id = $1`, [id(keys.deposit)]);
    });
    expectReported(planted, invariants.acknowledgedCommandsExist, `[ack-lost] ${id(keys.deposit)}: acknowledged 201`);
  });

  it('[command-outcome] and [ack-mismatch] a stored outcome that differs from its events and the reply', async () => {
    const planted = await plantAndCheck((c) =>
      // The stored form: [amountCents, balanceCents, version] (lib/accounts/outcome-codecs.ts).
      c.query(`UPDATE commands SET outcome = jsonb_set(outcome, '{1}', '1') WHERE command_id = $1`, [
        id(keys.withdrawal),
      ]),
    );
    expectReported(
      planted,
      invariants.commandOutcomesMatchEvents,
      `[command-outcome] ${id(keys.withdrawal)}: stored outcome`,
    );
    expectReported(
      planted,
      invariants.acknowledgementsMatchStore,
      `[ack-mismatch] ${id(keys.withdrawal)}: acknowledged {"accountId":"${accountA}","balance":7000`,
    );
  });

  it('[rejection-mismatch] a rejection replied with other numbers than stored', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE commands SET outcome = jsonb_set(outcome, '{rejection,balanceCents}', '1') WHERE command_id = $1`,
        [id(keys.overdraft)],
      ),
    );
    expectReported(
      planted,
      invariants.rejectionsMatchStore,
      `[rejection-mismatch] ${id(keys.overdraft)}: answered balance 70.00 requested 500.00, stored 1/50000`,
    );
  });

  it('[command-streams] an event of an account command in another stream', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`UPDATE events SET stream_id = $2, version = 100 WHERE command_key = idem_command_key($1)`, [
        id(keys.deposit),
        stream(accountA),
      ]),
    );
    expectReported(
      planted,
      invariants.commandEventsInNamedStreams,
      `[command-streams] ${id(keys.deposit)}: event in ${stream(accountA)}, which the command does not name`,
    );
  });

  it('[command-events] a transfer with only one side', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query(`DELETE FROM account_transactions WHERE ${WRITTEN_BY} AND kind = 'transfer-in'`, [
        id(keys.transfer),
      ]);
      await c.query(`DELETE FROM events WHERE command_key = idem_command_key($1) AND type = 'MoneyTransferredIn'`, [
        id(keys.transfer),
      ]);
    });
    expectReported(
      planted,
      invariants.commandEventsMatchOutcome,
      `[command-events] ${id(keys.transfer)} (TransferMoney, accepted): events [MoneyTransferredOut@${stream(accountA)}], expected exactly [`,
    );
  });

  it('[projection-transactions] a transfer row with the wrong counterparty', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE account_transactions SET counterparty_account_id = $2 WHERE ${WRITTEN_BY} AND kind = 'transfer-out'`,
        [id(keys.transfer), accountA],
      ),
    );
    expectReported(planted, invariants.transactionProjectionMatchesReplay, `[projection-transactions] ${accountA}:`);
    expectReported(
      planted,
      invariants.transactionProjectionMatchesReplay,
      `v9 transfer-out 1000 → 7500 with ${accountA} at `,
    );
  });

  it('[command-unobserved] a command row no client sent', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
         VALUES (idem_command_key('phantom'), 'phantom', 'WithdrawMoney', ARRAY[$1], 'x', 'rejected', '{"status":"rejected","rejection":{"code":"InsufficientFunds"}}', now())`,
        [stream(accountA)],
      ),
    );
    expectReported(
      planted,
      invariants.everyCommandWasSent,
      '[command-unobserved] 1 command row(s) no client sent: phantom (WithdrawMoney)',
    );
  });

  it('[response-divergence] two different final answers for one key', async () => {
    const changed = clone(observations);
    const observation = changed.find((o) => o.key === keys.withdrawal)!;
    observation.responses.push({
      ...observation.responses.find((r) => r.status === 201)!,
      body: '{"other":true}',
      replayed: true,
    });
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(
      planted,
      invariants.finalResponsesAgree,
      `[response-divergence] ${id(keys.withdrawal)}: 2 different final responses`,
    );
  });

  it('[double-execution] two first executions of one key', async () => {
    const changed = clone(observations);
    const observation = changed.find((o) => o.key === keys.withdrawal)!;
    for (const response of observation.responses) response.replayed = false;
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(
      planted,
      invariants.executedAtMostOnce,
      `[double-execution] ${id(keys.withdrawal)}: 2 final responses were first executions`,
    );
  });

  it('[request-mismatch] a stored command that is not what the client sent', async () => {
    const changed = clone(observations);
    changed.find((o) => o.key === keys.deposit)!.request.body.amount = '6.50';
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(
      planted,
      invariants.storedCommandsMatchRequests,
      `[request-mismatch] ${id(keys.deposit)}: sent 650 cents, stored outcome moved 550`,
    );
  });

  it('[rejection-mismatch] a 404 for an unknown account whose rejection was not recorded', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`DELETE FROM commands WHERE command_id = $1`, [id(keys.unknown)]),
    );
    expectReported(
      planted,
      invariants.rejectionsMatchStore,
      `[rejection-mismatch] ${id(keys.unknown)}: 404 account-not-found, but no command row records the rejection`,
    );
  });

  it("[rejection-mismatch] Bob's 404 on Alice's account stored as if the account did not exist", async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE commands SET outcome = jsonb_set(outcome, '{rejection,code}', '"AccountNotFound"') WHERE command_id = $1`,
        [id(keys.intrusion)],
      ),
    );
    expectReported(
      planted,
      invariants.rejectionsMatchStore,
      `[rejection-mismatch] ${id(keys.intrusion)}: answered account-not-found (NotOwner), stored rejected`,
    );
  });

  it('[ack-mismatch] and [projection-balance] a transfer acknowledged to a number the destination account does not have', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE events SET data = jsonb_set(data, '{accountNumber}', '"100000000008"') WHERE stream_id = $1 AND type = 'AccountOpened'`,
        [stream(accountB)],
      ),
    );
    expectReported(
      planted,
      invariants.acknowledgementsMatchStore,
      `[ack-mismatch] ${id(keys.transfer)}: acknowledged ${numberB}, but the destination ${accountB} has the number 100000000008`,
    );
    expectReported(
      planted,
      invariants.balanceProjectionMatchesReplay,
      `[projection-balance] ${accountB}: account_balances`,
    );
  });

  it('[ack-mismatch] a transfer whose destination event records another balance than the stored outcome', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `UPDATE events SET data = jsonb_set(data, '{balanceAfterCents}', '1') WHERE command_key = idem_command_key($1) AND type = 'MoneyTransferredIn'`,
        [id(keys.transfer)],
      ),
    );
    expectReported(
      planted,
      invariants.acknowledgementsMatchStore,
      `[ack-mismatch] ${id(keys.transfer)}: the in event (${stream(accountB)}: 1000 → 1) is not 1000 into ${stream(accountB)} leaving 1550`,
    );
  });

  it('[ack-mismatch] a transfer acknowledgement that reveals the recipient', async () => {
    const changed = clone(observations);
    for (const response of changed.find((o) => o.key === keys.transfer)!.responses)
      response.body = response.body.replace(/\}$/, `,"to":"${accountB}"}`);
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(
      planted,
      invariants.acknowledgementsMatchStore,
      `[ack-mismatch] ${id(keys.transfer)}: acknowledged the fields amount,from,fromBalance,to,toAccountNumber,transferId, not exactly`,
    );
  });
});
