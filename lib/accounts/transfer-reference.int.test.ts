import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db/prisma';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { transactionPage } from '@/lib/accounts/transaction-page';
import { markSeen, seenVersion, unseenCounts } from '@/lib/live/seen';
import { appDatabase } from '@/test/auth';
import { checkInvariants, InvariantViolation } from '@/test/invariants';
import { apiCustomer, type ApiCustomer, type OpenedAccount } from '@/test/in-process-api';

// A transfer's payment reference, end to end through the API (every answer is checked against the
// OpenAPI document): part of the command and its fingerprint, stored on both events, shown in both
// histories; bad input changes nothing. And the "New" marks of incoming money.

let ada: ApiCustomer;
let grace: ApiCustomer;
let adas: OpenedAccount;
let graces: OpenedAccount;

appDatabase();
beforeAll(async () => {
  [ada, grace] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Grace Hopper')];
  adas = await ada.open('100.00', 'Everyday');
  graces = await grace.open('100.00', 'Main');
});

const send = (body: Record<string, unknown>, key?: string) =>
  grace.transfer({ from: graces.id, toAccountNumber: adas.accountNumber, amount: '5.00', ...body }, key);

/** What could change: both balances, and how many events and history rows exist. */
async function ledger() {
  const [events, rows, balances] = await Promise.all([
    db().event.count(),
    db().accountTransaction.count(),
    db().accountBalance.findMany({ select: { accountId: true, balanceCents: true }, orderBy: { accountId: 'asc' } }),
  ]);
  return { events, rows, balances: balances.map((b) => `${b.accountId}:${b.balanceCents}`) };
}

const history = (account: OpenedAccount, viewer: ApiCustomer, seen: number | null = null) =>
  transactionPage({ accountId: account.id as AccountId, openedAt: new Date(0) }, viewer.id, {
    filter: 'all',
    before: null,
    seenVersion: seen,
  });

describe('a payment reference', () => {
  it('goes with the transfer: in the answer, on both events, in both histories', async () => {
    const sent = await send({ reference: '  Invoice\u0301 42 ' });
    expect(sent.status).toBe(201);
    // Normalised like names: NFC, trimmed.
    const reference = 'Invoicé 42'.normalize('NFC');
    expect(JSON.parse(sent.text)).toMatchObject({ amount: '5.00', reference });

    const [out] = (await history(graces, grace)).entries;
    const [into] = (await history(adas, ada)).entries;
    expect(out).toMatchObject({ kind: 'transfer-out', reference });
    expect(into).toMatchObject({ kind: 'transfer-in', reference, counterparty: { name: 'G. H*****' } });

    for (const [who, account, type] of [
      [grace, graces, 'MoneyTransferredOut'],
      [ada, adas, 'MoneyTransferredIn'],
    ] as const) {
      const { events } = JSON.parse((await who.events(account.id)).text) as {
        events: { type: string; data: Record<string, unknown> }[];
      };
      expect(events.at(-1)).toMatchObject({ type, data: { reference } });
    }
  });

  it('is optional: without one, the events and the answer have no reference field', async () => {
    const sent = await send({});
    expect(sent.status).toBe(201);
    expect(JSON.parse(sent.text)).not.toHaveProperty('reference');
    const row = await db().event.findFirst({
      where: { type: 'MoneyTransferredIn' },
      orderBy: { globalPosition: 'desc' },
    });
    expect(row!.data).not.toHaveProperty('reference');
    expect((await history(adas, ada)).entries[0]).toMatchObject({ kind: 'transfer-in', reference: null });
  });

  it('is part of the fingerprint: the same key with another reference (or none) is a conflict', async () => {
    const key = randomUUID();
    const first = await send({ reference: 'Rent March' }, key);
    expect(first.status).toBe(201);
    const replay = await send({ reference: 'Rent March' }, key);
    expect(replay).toMatchObject({ status: 201, replayed: 'true', text: first.text });
    const before = await ledger();
    for (const body of [{ reference: 'Rent April' }, {}]) {
      const reused = await send(body, key);
      expect(reused.status).toBe(422);
      expect(JSON.parse(reused.text)).toMatchObject({ type: '/problems/idempotency-key-reused' });
    }
    expect(await ledger()).toEqual(before);
  });

  it('bad references get a field error and change nothing', async () => {
    const before = await ledger();
    const cases: [unknown, RegExp][] = [
      ['x'.repeat(141), /at most 140 characters/],
      ['Pay\u0000ment', /control characters \(U\+0000 at character 4\)/],
      ['Pay\u202Ement', /invisible formatting characters/],
      ['   ', /must not be empty/],
      [42, /must be a string/],
    ];
    for (const [reference, message] of cases) {
      const reply = await send({ reference }, randomUUID());
      expect(reply.status).toBe(422);
      const body = JSON.parse(reply.text) as { type: string; errors: { pointer: string; detail: string }[] };
      expect(body.type).toBe('/problems/validation-failed');
      expect(body.errors).toEqual([{ pointer: '/reference', detail: expect.stringMatching(message) }]);
    }
    // 140 characters counted as characters: 140 emoji pass.
    expect((await send({ reference: '💶'.repeat(140) })).status).toBe(201);
    const after = await ledger();
    expect(after.events).toBe(before.events + 2);
  });
});

describe('the whole-ledger checker', () => {
  it('holds on this ledger, and catches a reference the projection lost', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await checkInvariants(client, [], { allowUnobservedCommands: true });
      await client.query('BEGIN');
      await client.query(`UPDATE account_transactions SET reference = NULL WHERE reference = 'Rent March'`);
      await expect(checkInvariants(client, [], { allowUnobservedCommands: true })).rejects.toThrow(
        /projection-transactions.*ref "Rent March"/s,
      );
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('ties a history row to its command by the transaction that wrote it: rewritten unchanged, it is caught', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query(
        `UPDATE account_transactions SET reference = reference WHERE reference = 'Rent March'`,
      );
      expect(rowCount).toBe(2); // both sides of the transfer
      const found = await checkInvariants(client, [], { allowUnobservedCommands: true }).then(
        () => [],
        (error: unknown) => {
          if (error instanceof InvariantViolation) return error.violations;
          throw error;
        },
      );
      await client.query('ROLLBACK');
      expect(found).toHaveLength(2);
      for (const line of found)
        expect(line).toMatch(
          /^\[command-commit\] \S+: account_transactions row \S+ v\d+ written by transaction \d+, event /,
        );
    } finally {
      await client.end();
    }
  });
});

describe('"New" marks of incoming money', () => {
  it('incoming transfers after what the owner has seen are New and counted; seeing moves forward, never back', async () => {
    const start = (await db().accountBalance.findUnique({ where: { accountId: adas.id } }))!.version;
    await markSeen(ada.id, adas.id, start);
    expect(await seenVersion(ada.id, adas.id)).toBe(start);
    expect((await unseenCounts(ada.id)).get(adas.id)).toBeUndefined();

    await send({ reference: 'One' });
    await send({ reference: 'Two' });
    await ada.deposit(adas.id, { amount: '1.00' }); // her own deposit is not "incoming money"
    expect((await unseenCounts(ada.id)).get(adas.id)).toBe(2);
    // The sender's account has nothing new: money left it.
    expect((await unseenCounts(grace.id)).get(graces.id)).toBeUndefined();

    const page = await history(adas, ada, await seenVersion(ada.id, adas.id));
    expect(page.entries.filter((e) => e.unseen).map((e) => e.reference)).toEqual(['Two', 'One']);

    const now = (await db().accountBalance.findUnique({ where: { accountId: adas.id } }))!.version;
    await markSeen(ada.id, adas.id, now);
    await markSeen(ada.id, adas.id, start); // an older tab recording late does not bring them back
    expect(await seenVersion(ada.id, adas.id)).toBe(now);
    expect((await unseenCounts(ada.id)).get(adas.id)).toBeUndefined();
    expect((await history(adas, ada, now)).entries.some((e) => e.unseen)).toBe(false);
  });

  it('an account its owner never opened counts every incoming transfer', async () => {
    const fresh = await ada.open('0.00', 'Never opened');
    await grace.transfer({ from: graces.id, toAccountNumber: fresh.accountNumber, amount: '1.00' });
    expect((await unseenCounts(ada.id)).get(fresh.id)).toBe(1);
  });
});
