import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { depositAction, transferAction, withdrawAction } from '@/app/accounts/actions';
import { newAccountId } from '@/lib/accounts/ids';
import { openAccount } from '@/lib/accounts/open-account';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { signUp, appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer } from '@/test/in-process-api';

// The forms are another door to the same commands as the API: they draw on the same per-customer
// budgets and the same cap on new command keys, and every transfer (form or API) passes the limit on
// transfers from one customer into one account. Server actions run in-process with the signed-in
// browser's cookie as their request headers.

const request = { headers: new Headers() };
vi.mock('next/headers', () => ({
  headers: async () => request.headers,
  cookies: async () => ({ get: () => undefined, set: () => undefined }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

appDatabase();
afterEach(() => vi.unstubAllEnvs());

/** A customer signed in "in this browser", with one account holding `cents`. */
async function signedIn(cents = 10_000) {
  const customer = await signUp(auth());
  request.headers = new Headers({ cookie: customer.cookie });
  return { id: customer.id, account: await accountOf(customer.id, cents) };
}

async function accountOf(customerId: string, cents = 10_000) {
  const outcome = await openAccount((accountNumber) => ({
    type: 'OpenAccount',
    data: { accountId: newAccountId(), accountNumber, owner: 'Everyday', openingDepositCents: cents },
    metadata: { commandId: randomUUID(), now: new Date(), customerId },
  }));
  if (outcome.status !== 'accepted') throw new Error(`opening failed: ${outcome.status}`);
  return { id: outcome.result.accountId, number: outcome.result.accountNumber };
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};
const deposit = (accountId: string, commandId = randomUUID()) =>
  depositAction(null, form({ accountId, amount: '1.00', commandId }));
const balance = async (accountId: string) =>
  (await db().accountBalance.findUniqueOrThrow({ where: { accountId } })).balanceCents;

describe('server actions draw on the API’s per-customer budgets', () => {
  it('every form submission is one request of the customer (IDEM_CUSTOMER_RATE_LIMIT): over it, nothing is done and the key is kept', async () => {
    const { account } = await signedIn();
    vi.stubEnv('IDEM_CUSTOMER_RATE_LIMIT', '3/60');
    for (let i = 0; i < 2; i++) expect((await deposit(account.id)).result?.status).toBe('success');
    expect(
      (await withdrawAction(null, form({ accountId: account.id, amount: '1.00', commandId: randomUUID() }))).result
        ?.status,
    ).toBe('success');
    const key = randomUUID();
    const refused = await deposit(account.id, key);
    expect(refused.result).toMatchObject({
      status: 'busy',
      message: expect.stringMatching(
        /^You have made too many requests\. Please try again in \d+ (seconds?|minutes?); nothing was done\.$/,
      ),
    });
    expect(refused.commandId).toBe(key);
    expect(await balance(account.id)).toBe(10_100n);
  });

  it('every new command key counts against IDEM_NEW_KEYS_PER_HOUR; a key already used is still answered', async () => {
    const { account } = await signedIn();
    vi.stubEnv('IDEM_NEW_KEYS_PER_HOUR', '2');
    const first = randomUUID();
    expect((await deposit(account.id, first)).result?.status).toBe('success');
    expect((await deposit(account.id)).result?.status).toBe('success');
    expect((await deposit(account.id)).result).toMatchObject({
      status: 'busy',
      message: expect.stringContaining('too many new requests this hour'),
    });
    expect((await deposit(account.id, first)).result).toMatchObject({ status: 'success', replayed: true });
    expect(await balance(account.id)).toBe(10_200n);
  });
});

describe('transfers into one account from one customer (IDEM_INBOUND_TRANSFERS_PER_HOUR)', () => {
  let sender: ApiCustomer;
  let from: { id: string; number: string };
  beforeAll(async () => {
    sender = await apiCustomer('Sam Sender');
    from = await accountOf(sender.id, 100_000);
  });

  it('the API and the form share the limit: 429 and a field error, nothing moves; others and other recipients are unaffected', async () => {
    vi.stubEnv('IDEM_INBOUND_TRANSFERS_PER_HOUR', '2');
    const victim = await signedIn(0);
    const body = { from: from.id, toAccountNumber: victim.account.number, amount: '0.01' };
    const firstKey = randomUUID();
    expect((await sender.transfer(body, firstKey)).status).toBe(201);
    expect((await sender.transfer(body)).status).toBe(201);
    const refused = await sender.transfer(body);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({
      type: '/problems/too-many-requests',
      detail: expect.stringMatching(/^This account can receive at most 2 transfers an hour from you\. Retry in \d+ s/),
    });
    // A retry of a transfer already made is still answered from the log.
    expect(await sender.transfer(body, firstKey)).toMatchObject({ status: 201, replayed: 'true' });

    request.headers = new Headers({ cookie: sender.cookie });
    const viaForm = await transferAction(
      null,
      form({
        intent: 'confirm',
        fromAccountId: from.id,
        toAccountNumber: victim.account.number,
        amount: '0.01',
        commandId: randomUUID(),
      }),
    );
    expect(viaForm.result).toMatchObject({
      status: 'invalid',
      fieldErrors: {
        toAccountNumber: expect.stringMatching(
          /^This account can receive at most 2 transfers an hour from you\. Try again in /,
        ),
      },
    });
    expect(await balance(victim.account.id)).toBe(2n);

    const other = await apiCustomer('Olga Other');
    const otherFrom = await accountOf(other.id);
    expect(
      (await other.transfer({ from: otherFrom.id, toAccountNumber: victim.account.number, amount: '0.01' })).status,
    ).toBe(201);
    const elsewhere = await accountOf(other.id, 0);
    expect((await sender.transfer({ ...body, toAccountNumber: elsewhere.number })).status).toBe(201);
    expect(await balance(victim.account.id)).toBe(3n);
  });
});
