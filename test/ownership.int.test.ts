import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { scopedCommandId } from '@/lib/accounts/ids';
import { db } from '@/lib/db/prisma';
import { accountStreamId } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer, type OpenedAccount, type Reply } from '@/test/in-process-api';

// Ownership over the API: two customers, A and B, each with an API key. B reaching for A's account
// gets exactly what an account that does not exist gets, and nothing is written; idempotency keys
// are each customer's own.

let a: ApiCustomer;
let b: ApiCustomer;
appDatabase();
beforeAll(async () => {
  [a, b] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Bob Builder')];
});

const streamEvents = (id: string) => db().event.count({ where: { streamId: accountStreamId(id as AccountId) } });

/** An unknown id's answer with that id swapped for `id`: what B must get for A's account, to the byte. */
async function asIfUnknown(id: string, ask: (id: string) => Promise<Reply>): Promise<Reply> {
  const unknown = randomUUID();
  const reply = await ask(unknown);
  expect(reply.status).toBe(404);
  return { ...reply, text: reply.text.replaceAll(unknown, id) };
}

describe("B reaching for A's account", () => {
  let mine: OpenedAccount;
  let theirs: OpenedAccount;
  beforeAll(async () => {
    mine = await a.open('100.00', 'Savings');
    theirs = await b.open('10.00', 'Spending');
  });

  const attempts: [string, (id: string) => Promise<Reply>][] = [
    ['GET the account', (id) => b.account(id)],
    ['read its events', (id) => b.events(id)],
    ['deposit to it', (id) => b.deposit(id, { amount: '1.00' })],
    ['withdraw from it', (id) => b.withdraw(id, { amount: '1.00' })],
    ['transfer out of it', (id) => b.transfer({ from: id, toAccountNumber: theirs.accountNumber, amount: '1.00' })],
  ];

  it.each(attempts)('%s: answered byte for byte like an unknown account, nothing written', async (_, attempt) => {
    const before = await Promise.all([streamEvents(mine.id), streamEvents(theirs.id)]);
    const reply = await attempt(mine.id);
    expect(reply).toEqual(await asIfUnknown(mine.id, attempt));
    expect(reply.text).not.toContain('Savings');
    expect(await Promise.all([streamEvents(mine.id), streamEvents(theirs.id)])).toEqual(before);
    expect(JSON.parse((await a.account(mine.id)).text)).toMatchObject({ balance: '100.00', version: 2 });
  });

  it('GET /api/accounts lists only the caller’s accounts', async () => {
    const extra = await a.open('1.00', 'Second');
    const [aIds, bIds] = await Promise.all([a.list(), b.list()]).then((lists) =>
      lists.map((list) => list.map((x) => x.id).sort()),
    );
    expect(aIds).toEqual([mine.id, extra.id].sort());
    expect(bIds).toEqual([theirs.id]);
  });
});

describe('Idempotency keys belong to their customer', () => {
  it('the same key from A and B on their own accounts → two commands, two events, neither replayed', async () => {
    const [mine, theirs] = [await a.open('100.00'), await b.open('100.00')];
    const key = `order-${randomUUID()}`;
    const fromA = await a.withdraw(mine.id, { amount: '10.00' }, key);
    const fromB = await b.withdraw(theirs.id, { amount: '25.00' }, key);
    expect([fromA.status, fromB.status]).toEqual([201, 201]);
    expect([fromA.replayed, fromB.replayed]).toEqual([null, null]);
    expect(JSON.parse(fromA.text)).toMatchObject({
      accountId: mine.id,
      amount: '10.00',
      balance: '90.00',
      commandId: key,
    });
    expect(JSON.parse(fromB.text)).toMatchObject({
      accountId: theirs.id,
      amount: '25.00',
      balance: '75.00',
      commandId: key,
    });
    const commands = await db().command.findMany({
      where: { commandId: { in: [scopedCommandId(a.id, key), scopedCommandId(b.id, key), key] } },
    });
    expect(commands.map((c) => c.commandId).sort()).toEqual(
      [scopedCommandId(a.id, key), scopedCommandId(b.id, key)].sort(),
    );
    expect(await db().event.count({ where: { command: { commandId: scopedCommandId(a.id, key) } } })).toBe(1);
    expect(await db().event.count({ where: { command: { commandId: scopedCommandId(b.id, key) } } })).toBe(1);

    // A repeating its key is replayed byte for byte; with another body it is refused, nothing written.
    expect(await a.withdraw(mine.id, { amount: '10.00' }, key)).toEqual({ ...fromA, replayed: 'true' });
    const reused = await a.withdraw(mine.id, { amount: '11.00' }, key);
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toMatchObject({ type: '/problems/idempotency-key-reused' });
    expect(await Promise.all([streamEvents(mine.id), streamEvents(theirs.id)])).toEqual([3, 3]);
  });
});

describe('transfers to another customer by account number', () => {
  it('A → B works; the answer holds neither B’s account id nor B’s balance', async () => {
    const [mine, theirs] = [await a.open('100.00'), await b.open('50.00')];
    const reply = await a.transfer({ from: mine.id, toAccountNumber: theirs.accountNumber, amount: '20.00' });
    expect(reply.status).toBe(201);
    expect(JSON.parse(reply.text)).toEqual({
      transferId: expect.any(String),
      from: mine.id,
      toAccountNumber: theirs.accountNumber,
      amount: '20.00',
      fromBalance: '80.00',
    });
    expect(JSON.parse((await b.account(theirs.id)).text)).toMatchObject({ balance: '70.00' });
    expect(reply.text).not.toContain(theirs.id);
    expect(reply.text).not.toContain('70.00');
  });

  it('a mistyped account number (one digit changed) → 422 naming toAccountNumber, nothing written', async () => {
    const [mine, theirs] = [await a.open('100.00'), await b.open('50.00')];
    const digits = theirs.accountNumber.split('');
    digits[5] = String((Number(digits[5]) + 1) % 10);
    const before = await Promise.all([streamEvents(mine.id), streamEvents(theirs.id)]);
    const key = randomUUID();
    const reply = await a.transfer({ from: mine.id, toAccountNumber: digits.join(''), amount: '20.00' }, key);
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.text)).toMatchObject({
      type: '/problems/validation-failed',
      errors: [{ pointer: '/toAccountNumber', detail: expect.stringMatching(/check the digits/) }],
    });
    expect(await Promise.all([streamEvents(mine.id), streamEvents(theirs.id)])).toEqual(before);
    expect(await db().command.count({ where: { commandId: scopedCommandId(a.id, key) } })).toBe(0);
  });
});
