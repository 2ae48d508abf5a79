// The invariant checker must be able to fail: a real ledger written through the API (one instance,
// duplicates, an overdraft, an unknown account) passes; then each planted violation — inside a
// transaction the checker reads through and that is rolled back afterwards — is reported by the
// invariant function that owns its rule, and by the whole check that composes them.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuthorization, startCluster, type Cluster } from './cluster-harness';
import * as invariants from './invariants';
import { checkInvariants, InvariantViolation, loadLedger, type Invariant, type Observation } from './invariants';
import { StormClient } from './storm';

let cluster: Cluster;
let db: pg.Client;
let observations: Observation[];
let accountA: string;
let accountB: string;
const keys = { withdrawal: '', overdraft: '', unknown: '', deposit: '', transfer: '' };

beforeAll(async () => {
  cluster = await startCluster({ instances: 1, poolSize: 5 });
  const client = new StormClient(cluster.urls, { authorization: await apiKeyAuthorization(cluster.urls()[0]!) });
  accountA = await client.openAccount('Alice', '100.00');
  accountB = await client.openAccount('Bob', '0.00');
  keys.withdrawal = `w-${randomUUID()}`;
  keys.overdraft = `o-${randomUUID()}`;
  keys.unknown = `u-${randomUUID()}`;
  keys.deposit = `d-${randomUUID()}`;
  keys.transfer = `t-${randomUUID()}`;
  // Duplicates of each key race each other.
  await Promise.all([
    client.withdraw(accountA, '30.00', keys.withdrawal, { instance: 0 }),
    client.withdraw(accountA, '30.00', keys.withdrawal, { instance: 0 }),
    client.deposit(accountB, '5.50', keys.deposit, { instance: 0 }),
    client.deposit(accountB, '5.50', keys.deposit, { instance: 0 }),
  ]);
  await Promise.all([
    client.withdraw(accountA, '500.00', keys.overdraft, { instance: 0 }),
    client.withdraw(accountA, '500.00', keys.overdraft, { instance: 0 }),
    client.withdraw(randomUUID(), '1.00', keys.unknown, { instance: 0 }),
  ]);
  for (let i = 0; i < 5; i++) await client.deposit(accountA, `${i + 1}.00`, randomUUID(), { instance: 0 });
  await Promise.all([
    client.transfer(accountA, accountB, '10.00', keys.transfer, { instance: 0 }),
    client.transfer(accountA, accountB, '10.00', keys.transfer, { instance: 0 }),
  ]);
  observations = client.list();
  db = new pg.Client({ connectionString: cluster.postgres.url });
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
async function plantAndCheck(plant: (db: pg.Client) => Promise<unknown>, observed: Observation[] = observations): Promise<Planted> {
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
  for (const [who, text] of [[invariant.name, planted.by(invariant)], ['checkInvariants', planted.whole]] as const) {
    if (typeof expected === 'string') expect(text, who).toContain(expected);
    else expect(text, who).toMatch(expected);
  }
}

const stream = (accountId: string) => `account-${accountId}`;
const clone = (list: Observation[]) => JSON.parse(JSON.stringify(list)) as Observation[];

describe('invariant checker', () => {
  it('passes on the ledger the API wrote', async () => {
    const report = await checkInvariants(db, observations);
    expect(report).toMatchObject({ streams: 2, events: 12, commands: 12, acceptedCommands: 10, rejectedCommands: 2, keys: 12, acknowledged: 10, refused: 2, unresolved: 0 });
    expect(report.totalBalanceCents).toBe(100_00 - 30_00 + 15_00 + 5_50);
  });

  it('[stream-owner] a stream whose AccountOpened names another customer than the commands that moved its money', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE events SET data = jsonb_set(data, '{customerId}', '"intruder"') WHERE stream_id = $1 AND type = 'AccountOpened'`, [stream(accountA)]));
    expectReported(planted, invariants.eventStreamsBelongToCommandCustomer, new RegExp(`\\[stream-owner\\] MoneyWithdrawn v\\d+ in ${stream(accountA)} by command [^:\\s]+:${keys.withdrawal}: the stream belongs to intruder, not `));
    expectReported(planted, invariants.eventStreamsBelongToCommandCustomer, new RegExp(`\\[stream-owner\\] MoneyTransferredOut v\\d+ in ${stream(accountA)} by command [^:\\s]+:${keys.transfer}:`));
  });

  it('[stream-gap] an event deleted from the middle of a stream', async () => {
    const planted = await plantAndCheck((c) => c.query(`DELETE FROM events WHERE stream_id = $1 AND version = 3`, [stream(accountA)]));
    expectReported(planted, invariants.streamVersionsAreContiguous, `[stream-gap] ${stream(accountA)}: versions 1,2,4,5,6,7,8,9 are not 1..8`);
  });

  it('[stream-shape] an event that names another account than its stream', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE events SET data = jsonb_set(data, '{accountId}', '"someone-else"') WHERE command_id = $1`, [keys.deposit]));
    expectReported(planted, invariants.streamsAreAccountStreams, `[stream-shape] ${stream(accountB)} v2: data.accountId is someone-else`);
  });

  it('[command-events] a duplicated event (the same command applied twice)', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `INSERT INTO events (stream_id, version, type, data, metadata, command_id, created_at)
         SELECT stream_id, (SELECT max(version) + 1 FROM events WHERE stream_id = e.stream_id), type, data, metadata, command_id, created_at
           FROM events e WHERE command_id = $1`,
        [keys.withdrawal],
      ),
    );
    expectReported(planted, invariants.commandEventsMatchOutcome, `[command-events] ${keys.withdrawal} (WithdrawMoney, accepted): events [MoneyWithdrawn,MoneyWithdrawn], expected exactly [MoneyWithdrawn]`);
    expectReported(planted, invariants.commandWritesShareOneCommit, `[command-commit] ${keys.withdrawal}: event ${stream(accountA)} v10 written by transaction`);
    expectReported(planted, invariants.balanceChainHolds, `[balance-chain] ${stream(accountA)} v10 MoneyWithdrawn`);
  });

  it('[projection-balance] a balance row that is not the replay of its stream', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE account_balances SET balance_cents = balance_cents + 1 WHERE account_id = $1`, [accountB]));
    expectReported(planted, invariants.balanceProjectionMatchesReplay, new RegExp(`\\[projection-balance\\] ${accountB}: account_balances .*"balance":"1551".* ≠ replay .*"balance":"1550"`));
  });

  it('[projection-transactions] a transaction row that differs from its event', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE account_transactions SET amount_cents = amount_cents + 100 WHERE command_id = $1`, [keys.deposit]));
    expectReported(planted, invariants.transactionProjectionMatchesReplay, `[projection-transactions] ${accountB}:`);
    expectReported(planted, invariants.transactionProjectionMatchesReplay, 'deposit 650 → 550');
  });

  it('[balance-negative] and [balance-chain] an event that overdraws', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(`UPDATE events SET data = data || '{"amountCents": 20000, "balanceAfterCents": -13000}'::jsonb WHERE command_id = $1`, [keys.withdrawal]),
    );
    expectReported(planted, invariants.balancesNeverNegative, `[balance-negative] ${stream(accountA)} v3: balance -13000 after MoneyWithdrawn`);
    expectReported(planted, invariants.balanceChainHolds, `[balance-chain] ${stream(accountA)} v3 MoneyWithdrawn: balanceAfterCents -13000, but 10000 − 20000 = -10000`);
  });

  it('[command-duplicate] two command rows for one command id (its primary key dropped inside the transaction)', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query('ALTER TABLE commands DROP CONSTRAINT commands_pkey CASCADE');
      await c.query(`INSERT INTO commands SELECT * FROM commands WHERE command_id = $1`, [keys.deposit]);
    });
    expectReported(planted, invariants.commandRowsAreUnique, `[command-duplicate] ${keys.deposit}: 2 command rows`);
  });

  it('[event-orphan] an event whose command row is gone (its foreign key dropped inside the transaction)', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query('ALTER TABLE events DROP CONSTRAINT events_command_id_fkey');
      await c.query(`UPDATE events SET command_id = 'vanished' WHERE command_id = $1`, [keys.deposit]);
    });
    expectReported(planted, invariants.eventsHaveCommands, '[event-orphan] 1 event(s) of command vanished, which has no command row');
  });

  it('[command-versions] a command whose two events are not at consecutive versions', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE events SET version = 100 WHERE stream_id = $1 AND version = 2`, [stream(accountA)]));
    const opening = (await db.query<{ command_id: string }>(`SELECT command_id FROM events WHERE stream_id = $1 AND version = 1`, [stream(accountA)])).rows[0]!.command_id;
    expectReported(planted, invariants.commandVersionsAreConsecutive, `[command-versions] ${opening}: versions 1,100 in ${stream(accountA)} are not consecutive`);
  });

  it('[ack-lost] an acknowledged command that is not in the database', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query(`DELETE FROM account_transactions WHERE command_id = $1`, [keys.deposit]);
      await c.query(`DELETE FROM events WHERE command_id = $1`, [keys.deposit]);
      await c.query(`DELETE FROM commands WHERE command_id = $1`, [keys.deposit]);
    });
    expectReported(planted, invariants.acknowledgedCommandsExist, `[ack-lost] ${keys.deposit}: acknowledged 201`);
  });

  it('[command-outcome] and [ack-mismatch] a stored outcome that differs from its events and the reply', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE commands SET outcome = jsonb_set(outcome, '{result,balanceCents}', '1') WHERE command_id = $1`, [keys.withdrawal]));
    expectReported(planted, invariants.commandOutcomesMatchEvents, `[command-outcome] ${keys.withdrawal}: stored outcome`);
    expectReported(planted, invariants.acknowledgementsMatchStore, `[ack-mismatch] ${keys.withdrawal}: acknowledged {"accountId":"${accountA}","balance":7000`);
  });

  it('[rejection-mismatch] a rejection replied with other numbers than stored', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE commands SET outcome = jsonb_set(outcome, '{rejection,balanceCents}', '1') WHERE command_id = $1`, [keys.overdraft]));
    expectReported(planted, invariants.rejectionsMatchStore, `[rejection-mismatch] ${keys.overdraft}: answered balance 70.00 requested 500.00, stored 1/50000`);
  });

  it('[command-streams] an event of an account command in another stream', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE events SET stream_id = $2, version = 100 WHERE command_id = $1`, [keys.deposit, stream(accountA)]));
    expectReported(planted, invariants.commandEventsInNamedStreams, `[command-streams] ${keys.deposit}: event in ${stream(accountA)}, which the command does not name`);
  });

  it('[command-events] a transfer with only one side', async () => {
    const planted = await plantAndCheck(async (c) => {
      await c.query(`DELETE FROM account_transactions WHERE command_id = $1 AND kind = 'transfer-in'`, [keys.transfer]);
      await c.query(`DELETE FROM events WHERE command_id = $1 AND type = 'MoneyTransferredIn'`, [keys.transfer]);
    });
    expectReported(planted, invariants.commandEventsMatchOutcome, `[command-events] ${keys.transfer} (TransferMoney, accepted): events [MoneyTransferredOut@${stream(accountA)}], expected exactly [`);
  });

  it('[projection-transactions] a transfer row with the wrong counterparty', async () => {
    const planted = await plantAndCheck((c) => c.query(`UPDATE account_transactions SET counterparty_account_id = $2 WHERE command_id = $1 AND kind = 'transfer-out'`, [keys.transfer, accountA]));
    expectReported(planted, invariants.transactionProjectionMatchesReplay, `[projection-transactions] ${accountA}:`);
    expectReported(planted, invariants.transactionProjectionMatchesReplay, `transfer-out 1000 → 7500 with ${accountA} by ${keys.transfer}`);
  });

  it('[command-unobserved] a command row no client sent', async () => {
    const planted = await plantAndCheck((c) =>
      c.query(
        `INSERT INTO commands (command_id, type, stream_ids, fingerprint, status, outcome, created_at)
         VALUES ('phantom', 'WithdrawMoney', ARRAY[$1], 'x', 'rejected', '{"status":"rejected","rejection":{"code":"InsufficientFunds"}}', now())`,
        [stream(accountA)],
      ),
    );
    expectReported(planted, invariants.everyCommandWasSent, '[command-unobserved] 1 command row(s) no client sent: phantom (WithdrawMoney)');
  });

  it('[response-divergence] two different final answers for one key', async () => {
    const changed = clone(observations);
    const observation = changed.find((o) => o.key === keys.withdrawal)!;
    observation.responses.push({ ...observation.responses.find((r) => r.status === 201)!, body: '{"other":true}', replayed: true });
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(planted, invariants.finalResponsesAgree, `[response-divergence] ${keys.withdrawal}: 2 different final responses`);
  });

  it('[double-execution] two first executions of one key', async () => {
    const changed = clone(observations);
    const observation = changed.find((o) => o.key === keys.withdrawal)!;
    for (const response of observation.responses) response.replayed = false;
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(planted, invariants.executedAtMostOnce, `[double-execution] ${keys.withdrawal}: 2 final responses were first executions`);
  });

  it('[request-mismatch] a stored command that is not what the client sent', async () => {
    const changed = clone(observations);
    changed.find((o) => o.key === keys.deposit)!.request.body.amount = '6.50';
    const planted = await plantAndCheck(async () => {}, changed);
    expectReported(planted, invariants.storedCommandsMatchRequests, `[request-mismatch] ${keys.deposit}: sent 650 cents, stored outcome moved 550`);
  });

  it('[rejection-mismatch] a 404 for an unknown account whose rejection was not recorded', async () => {
    const planted = await plantAndCheck((c) => c.query(`DELETE FROM commands WHERE command_id = $1`, [keys.unknown]));
    expectReported(planted, invariants.rejectionsMatchStore, `[rejection-mismatch] ${keys.unknown}: 404 account-not-found, but no command row records the rejection`);
  });
});
