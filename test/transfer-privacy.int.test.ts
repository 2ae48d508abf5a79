import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newAccountId } from '@/lib/accounts/ids';
import { db } from '@/lib/db/prisma';
import { accountNumberOf, type AccountNumber } from '@/lib/accounts/domain/account-number';
import { appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer, type OpenedAccount } from '@/test/in-process-api';

// Account numbers cannot be walked to list who holds them: they are random, a transfer looks a
// number up only from one of the caller's own accounts, every look-up spends a budget, and a foreign
// source is answered exactly like a number no account has.

let a: ApiCustomer;
let b: ApiCustomer;
let mine: OpenedAccount;
let theirs: OpenedAccount;
appDatabase();
beforeAll(async () => {
  [a, b] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Bob Builder')];
  mine = await a.open('100.00', 'Savings');
  theirs = await b.open('100.00', 'Spending');
});
afterEach(() => vi.unstubAllEnvs());

/** A valid number (right check digit) that no account has. */
async function unknownNumber(): Promise<AccountNumber> {
  for (;;) {
    const candidate = accountNumberOf(10_000_000_000 + Math.floor(Math.random() * 80_000_000_000));
    if ((await db().accountBalance.count({ where: { accountNumber: candidate } })) === 0) return candidate;
  }
}

describe('account numbers', () => {
  it('are not consecutive: knowing one number tells nothing about the next', async () => {
    const opened = [];
    for (let i = 0; i < 8; i++) opened.push(await a.open('0.00', `Pot ${i}`));
    const bodies = opened.map((x) => BigInt(x.accountNumber.slice(0, -1))).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const gaps = bodies.slice(1).map((body, i) => body - bodies[i]!);
    expect(gaps.filter((gap) => gap <= 10n)).toEqual([]);
    for (const x of opened) expect(accountNumberOf(BigInt(x.accountNumber.slice(0, -1)))).toBe(x.accountNumber); // check digit kept
  });

  it('a number already taken is drawn again: the opening retries under a new number, once recorded', async () => {
    const { openAccount } = await import('@/lib/accounts/open-account');
    const taken = mine.accountNumber as AccountNumber;
    const fresh = await unknownNumber();
    const draws = [taken, fresh];
    const accountId = newAccountId();
    const commandId = `open-${randomUUID()}`;
    const outcome = await openAccount(
      (accountNumber) => ({
        type: 'OpenAccount',
        data: { accountId, accountNumber, owner: 'Collision', openingDepositCents: 0 },
        metadata: { commandId, now: new Date(), customerId: a.id },
      }),
      { numbers: () => draws.shift()! },
    );
    expect(outcome).toMatchObject({ status: 'accepted', result: { accountNumber: fresh } });
    expect(await db().command.count({ where: { commandId } })).toBe(1);
  });
});

describe('POST /api/transfers from an account that is not the caller’s', () => {
  it('is answered exactly like a number no account has: same status and body, nothing revealed, nothing written', async () => {
    const unknown = await unknownNumber();
    const commandsBefore = await db().command.count();
    // B, from A's account: to a real number and to a number nobody has.
    const toReal = await b.transfer({ from: mine.id, toAccountNumber: theirs.accountNumber, amount: '1.00' });
    const toNobody = await b.transfer({ from: mine.id, toAccountNumber: unknown, amount: '1.00' });
    expect(toReal.status).toBe(404);
    expect(toReal).toEqual({ ...toNobody, text: toNobody.text.replaceAll(unknown, theirs.accountNumber) });
    // B, from B's own account, to a number nobody has: the same answer again.
    const ownToNobody = await b.transfer({ from: theirs.id, toAccountNumber: unknown, amount: '1.00' });
    expect(ownToNobody).toEqual({ ...toNobody, text: toNobody.text.replaceAll(mine.id, theirs.id) });
    expect(toReal.text).not.toMatch(/Spending|Bob|B\. B/);
    expect(await db().command.count()).toBe(commandsBefore);
  });

  it('a customer’s look-ups of account numbers have a budget (IDEM_RECIPIENT_LOOKUP_LIMIT): over it, 429 and nothing moves', async () => {
    vi.stubEnv('IDEM_RECIPIENT_LOOKUP_LIMIT', '3/3600');
    const carol = await apiCustomer('Carol');
    const from = await carol.open('50.00');
    const replies = [];
    for (let i = 0; i < 4; i++)
      replies.push(await carol.transfer({ from: from.id, toAccountNumber: await unknownNumber(), amount: '1.00' }));
    expect(replies.map((r) => r.status)).toEqual([404, 404, 404, 429]);
    expect(JSON.parse(replies[3]!.text)).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
    // Even a real number is not looked up any more; other customers keep their own budget.
    expect(
      (await carol.transfer({ from: from.id, toAccountNumber: theirs.accountNumber, amount: '1.00' })).status,
    ).toBe(429);
    expect((await a.transfer({ from: mine.id, toAccountNumber: theirs.accountNumber, amount: '1.00' })).status).toBe(
      201,
    );
    expect(JSON.parse((await carol.account(from.id)).text)).toMatchObject({ balance: '50.00' });
  });
});

describe('what a transfer shows of the other side', () => {
  it('the events API names neither side’s counterparty account id', async () => {
    expect((await a.transfer({ from: mine.id, toAccountNumber: theirs.accountNumber, amount: '2.00' })).status).toBe(
      201,
    );
    const eventsOf = async (customer: ApiCustomer, id: string) =>
      (JSON.parse((await customer.events(id)).text) as { events: { type: string; data: Record<string, unknown> }[] })
        .events;
    const out = (await eventsOf(a, mine.id)).find((e) => e.type === 'MoneyTransferredOut');
    const into = (await eventsOf(b, theirs.id)).find((e) => e.type === 'MoneyTransferredIn');
    expect(out?.data).toMatchObject({ accountId: mine.id });
    expect(into?.data).toMatchObject({ accountId: theirs.id });
    expect(Object.keys(out!.data)).not.toContain('toAccountId');
    expect(Object.keys(into!.data)).not.toContain('fromAccountId');
    expect(JSON.stringify(out)).not.toContain(theirs.id);
    expect(JSON.stringify(into)).not.toContain(mine.id);
  });
});
