import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { scopedCommandId } from '@/lib/accounts/ids';
import { db } from '@/lib/db/prisma';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { accountNumberOf } from '@/lib/accounts/domain/account-number';
import { appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer } from '@/test/in-process-api';

// The JSON API, called in-process against a database of this file's own, as one customer with an
// API key (test/ownership.int.test.ts covers two customers; lib/auth/customer.int.test.ts the 401s).

let me: ApiCustomer;
appDatabase();
beforeAll(async () => {
  me = await apiCustomer();
});

/** Events written by my command with this key (the engine's id is scoped to me). */
const eventsOf = (key: string) => db().event.count({ where: { command: { commandId: scopedCommandId(me.id, key) } } });

describe('accounts', () => {
  it('opens an account (201) and reads it back', async () => {
    const created = await me.open('100.00', 'Api Owner');
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accountNumber: expect.stringMatching(/^\d{12}$/),
      name: 'Api Owner',
      balance: '100.00',
      version: 2,
    });
    const fetched = await me.account(created.id);
    expect(fetched.status).toBe(200);
    expect(JSON.parse(fetched.text)).toEqual({ ...created, updatedAt: expect.stringMatching(/Z$/) });
    expect((await me.list()).map((a) => a.id)).toContain(created.id);
  });

  it('answers 404 problems for unknown and malformed ids', async () => {
    for (const id of [randomUUID(), 'nope']) {
      const response = await me.account(id);
      expect(response.status).toBe(404);
      expect(response.type).toBe('application/problem+json');
      expect(JSON.parse(response.text)).toMatchObject({ type: '/problems/account-not-found', status: 404 });
    }
  });
});

describe('withdrawals with an Idempotency-Key', () => {
  it('201 with the new balance; the same key again replays status and body byte for byte', async () => {
    const { id } = await me.open('100.00');
    const key = `key-${randomUUID()}`;
    const first = await me.withdraw(id, { amount: '12.34' }, key);
    expect(first.status).toBe(201);
    // The answer names the key as the customer sent it, not the engine's scoped id.
    expect(JSON.parse(first.text)).toEqual({
      accountId: id,
      amount: '12.34',
      balance: '87.66',
      version: 3,
      commandId: key,
    });
    expect(first.replayed).toBeNull();
    const again = await me.withdraw(id, { amount: '12.34' }, key);
    expect(again).toEqual({ ...first, replayed: 'true' });
    expect(await eventsOf(key)).toBe(1);
  });

  it('accepts the key as a Structured Field string ("…")', async () => {
    const { id } = await me.open();
    const key = randomUUID();
    const quoted = await me.withdraw(id, { amount: '1.00' }, `"${key}"`);
    const bare = await me.withdraw(id, { amount: '1.00' }, key);
    expect(quoted.status).toBe(201);
    expect(bare).toEqual({ ...quoted, replayed: 'true' });
  });

  // Found by the API fuzz: the command id is "<customer id>:<key>" (up to 33 + 255 characters) and
  // its column was widened to 320, but a CHECK of the first migration still capped it at 255: keys
  // longer than ~222 characters, which the API accepts, failed with a 500 (check_violation).
  it('accepts the longest allowed key (255 characters) for every command, and replays it', async () => {
    const { id } = await me.open('10.00');
    const [withdrawal, overdraft, deposit] = [1, 2, 3].map((n) => `${n}-${randomUUID()}`.padEnd(255, 'k'));
    const first = await me.withdraw(id, { amount: '1.00' }, withdrawal);
    expect(first.status).toBe(201);
    expect(await me.withdraw(id, { amount: '1.00' }, withdrawal)).toEqual({ ...first, replayed: 'true' });
    expect((await me.withdraw(id, { amount: '99.00' }, overdraft)).status).toBe(422); // a stored rejection too
    expect((await me.deposit(id, { amount: '1.00' }, deposit)).status).toBe(201);
  });

  it('insufficient funds → 422 problem with balance and requested, replayed identically', async () => {
    const { id } = await me.open('10.00');
    const key = randomUUID();
    const first = await me.withdraw(id, { amount: '10.01' }, key);
    expect(first.status).toBe(422);
    expect(first.type).toBe('application/problem+json');
    expect(JSON.parse(first.text)).toMatchObject({
      type: expect.stringMatching(/insufficient-funds$/),
      balance: '10.00',
      requested: '10.01',
    });
    expect((await me.deposit(id, { amount: '100' })).status).toBe(201);
    expect(await me.withdraw(id, { amount: '10.01' }, key)).toEqual({ ...first, replayed: 'true' });
  });

  it('the same key with a different request → 422 key reused, nothing written', async () => {
    const { id } = await me.open();
    const key = randomUUID();
    await me.withdraw(id, { amount: '1.00' }, key);
    const reused = await me.withdraw(id, { amount: '2.00' }, key);
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toMatchObject({ type: '/problems/idempotency-key-reused' });
    const asDeposit = await me.deposit(id, { amount: '1.00' }, key);
    expect(JSON.parse(asDeposit.text)).toMatchObject({ type: '/problems/idempotency-key-reused' });
    expect(await eventsOf(key)).toBe(1);
  });

  it('a key first used by the form (server action path) replays over HTTP', async () => {
    const { id } = await me.open();
    const key = randomUUID();
    // The form's command as app/accounts/actions.ts builds it for the same customer: the key scoped to them.
    const viaForm = await handleAccountCommand({
      type: 'WithdrawMoney',
      data: { accountId: id as AccountId, amountCents: 500 },
      metadata: { commandId: scopedCommandId(me.id, key), now: new Date(), customerId: me.id },
    });
    expect(viaForm.status).toBe('accepted');
    const viaHttp = await me.withdraw(id, { amount: '5.00' }, key);
    expect(viaHttp.status).toBe(201);
    expect(viaHttp.replayed).toBe('true');
    expect(JSON.parse(viaHttp.text)).toMatchObject({ amount: '5.00', balance: '95.00' });
    expect(await eventsOf(key)).toBe(1);
  });

  it('20 concurrent requests with one key → one event, 20 identical bodies', async () => {
    const { id } = await me.open();
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 20 }, () => me.withdraw(id, { amount: '3.00' }, key)));
    expect(new Set(replies.map((r) => `${r.status} ${r.text}`)).size).toBe(1);
    expect(replies.filter((r) => r.replayed === null)).toHaveLength(1);
    expect(await eventsOf(key)).toBe(1);
  });

  it('unknown account → 404 (recorded, so replayed identically)', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const first = await me.withdraw(id, { amount: '1.00' }, key);
    expect(first.status).toBe(404);
    expect(await me.withdraw(id, { amount: '1.00' }, key)).toEqual({ ...first, replayed: 'true' });
  });

  it('lists the stream in version order, without command metadata', async () => {
    const { id } = await me.open('50.00');
    await me.withdraw(id, { amount: '20.00' });
    const response = await me.events(id);
    const body = JSON.parse(response.text) as { events: { version: number; type: string }[] };
    expect(body.events.map((e) => [e.version, e.type])).toEqual([
      [1, 'AccountOpened'],
      [2, 'MoneyDeposited'],
      [3, 'MoneyWithdrawn'],
    ]);
    expect(body.events.every((e) => !('metadata' in e))).toBe(true);
  });
});

describe('POST /api/transfers', () => {
  it('201 with the sender balance and the recipient by number only; the same key replays byte for byte', async () => {
    const [a, b] = [await me.open('100.00'), await me.open('5.00')];
    const key = randomUUID();
    const first = await me.transfer({ from: a.id, toAccountNumber: b.accountNumber, amount: '30.00' }, key);
    expect(first.status).toBe(201);
    expect(JSON.parse(first.text)).toEqual({
      transferId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      from: a.id,
      toAccountNumber: b.accountNumber,
      amount: '30.00',
      fromBalance: '70.00',
    });
    expect(await me.transfer({ from: a.id, toAccountNumber: b.accountNumber, amount: '30.00' }, key)).toEqual({
      ...first,
      replayed: 'true',
    });
    expect(await eventsOf(key)).toBe(2);
    expect(JSON.parse((await me.account(b.id)).text)).toMatchObject({ balance: '35.00' });
  });

  it('insufficient funds → 422; same account → 422; unknown number → 404; bad ids, numbers and amounts → 422', async () => {
    const [a, b] = [await me.open('10.00'), await me.open('0')];
    const to = b.accountNumber;
    expect(JSON.parse((await me.transfer({ from: a.id, toAccountNumber: to, amount: '10.01' })).text)).toMatchObject({
      status: 422,
      type: '/problems/insufficient-funds',
      balance: '10.00',
      requested: '10.01',
    });
    expect(
      JSON.parse((await me.transfer({ from: a.id, toAccountNumber: a.accountNumber, amount: '1.00' })).text),
    ).toMatchObject({
      status: 422,
      type: '/problems/same-account',
    });
    const nobody = accountNumberOf(19_999_999_999n);
    expect(JSON.parse((await me.transfer({ from: a.id, toAccountNumber: nobody, amount: '1.00' })).text)).toMatchObject(
      {
        status: 404,
        type: '/problems/account-not-found',
        accountNumber: nobody,
      },
    );
    expect(JSON.parse((await me.transfer({ from: 'x', toAccountNumber: to, amount: '1.00' })).text)).toMatchObject({
      status: 422,
      detail: expect.stringMatching(/from must be an account id/),
    });
    expect(
      JSON.parse((await me.transfer({ from: a.id, toAccountNumber: '12345', amount: '1.00' })).text),
    ).toMatchObject({
      status: 422,
      detail: expect.stringMatching(/toAccountNumber must be 12 digits/),
    });
    expect(JSON.parse((await me.transfer({ from: a.id, toAccountNumber: to, amount: 1 })).text)).toMatchObject({
      status: 422,
      detail: expect.stringMatching(/amount must be a decimal string/),
    });
    expect(JSON.parse((await me.transfer({ from: a.id, toAccountNumber: to })).text)).toMatchObject({ status: 422 });
    const balances = await Promise.all(
      [a.id, b.id].map(async (id) => (JSON.parse((await me.account(id)).text) as { balance: string }).balance),
    );
    expect(balances).toEqual(['10.00', '0.00']);
  });
});
