import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { auth } from '@/lib/auth/auth';
import { identifyRequest, type Customer } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';
import { customerRequest } from '@/lib/http/api-handler';
import { testAccountNumber } from '@/test/customers';
import { post, signUp, TEST_ORIGIN, uniqueEmail, appDatabase } from '@/test/auth';
import { listAdminActions } from './audit-log';
import { ACCOUNTS_PER_CUSTOMER, disableCustomer, enableCustomer, searchCustomers } from './customers';

// Customers in the ops console against real PostgreSQL and the app's own better-auth instance:
// search, and disabling (sessions and keys revoked at once, a clear 401, nothing deleted).

let admin: Customer & { cookie: string };

appDatabase();
beforeAll(async () => {
  const signedUp = await signUp(auth(), { name: 'Ops', email: uniqueEmail('ops') });
  await db().user.update({ where: { id: signedUp.id }, data: { role: 'admin' } });
  admin = { id: signedUp.id, name: 'Ops', email: signedUp.email, role: 'admin', cookie: signedUp.cookie };
});

const request = (headers: Record<string, string>) => new Request(`${TEST_ORIGIN}/api/accounts`, { headers });
const adminHeaders = () => new Headers({ cookie: admin.cookie });

async function openAccountFor(customerId: string, cents: number) {
  const accountId = newAccountId();
  const accountNumber = testAccountNumber(accountId);
  await handleAccountCommand({
    type: 'OpenAccount',
    data: { accountId, accountNumber, owner: 'Main', openingDepositCents: cents },
    metadata: { commandId: randomUUID(), now: new Date(), customerId },
  });
  return { accountId, accountNumber };
}

describe('searching customers', () => {
  it('finds by part of the name or email in any case, or by an account number; % and _ are literal', async () => {
    const tag = randomUUID().slice(0, 8);
    const ada = await signUp(auth(), { name: `Ada ${tag} Lovelace`, email: uniqueEmail(`ada-${tag}`) });
    const grace = await signUp(auth(), { name: `Grace 100%_${tag}`, email: uniqueEmail(`grace-${tag}`) });
    const account = await openAccountFor(ada.id, 4_200);

    const byName = await searchCustomers(`ADA ${tag.toUpperCase()}`);
    expect(byName.customers.map((c) => c.id)).toEqual([ada.id]);
    expect(byName.matching).toBe(1);
    expect(byName.customers[0]).toMatchObject({
      name: `Ada ${tag} Lovelace`,
      disabled: false,
      admin: false,
      sessions: 1,
      apiKeys: { active: 0, revoked: 0 },
    });
    expect(byName.customers[0]!.accounts).toEqual([
      { accountId: account.accountId, accountNumber: account.accountNumber, owner: 'Main', balanceCents: 4_200 },
    ]);

    expect((await searchCustomers(`grace-${tag}`)).customers.map((c) => c.id)).toEqual([grace.id]);
    expect((await searchCustomers(`100%_${tag}`)).customers.map((c) => c.id)).toEqual([grace.id]);
    expect((await searchCustomers(`100_%${tag}`)).matching).toBe(0); // wildcards are not wild
    expect(
      (await searchCustomers(account.accountNumber.replace(/(\d{4})/g, '$1 ').trim())).customers.map((c) => c.id),
    ).toEqual([ada.id]);
    expect((await searchCustomers('')).matching).toBeGreaterThanOrEqual(3);
  });
});

describe('a page of customers is bounded', () => {
  it(`shows at most ${ACCOUNTS_PER_CUSTOMER} accounts per customer, the oldest first, and how many there are`, async () => {
    const tag = randomUUID().slice(0, 8);
    const many = await signUp(auth(), { name: `Many ${tag}`, email: uniqueEmail(`many-${tag}`) });
    const opened: string[] = [];
    for (let i = 0; i < ACCOUNTS_PER_CUSTOMER + 3; i++) opened.push((await openAccountFor(many.id, 100 + i)).accountId);
    const [row] = (await searchCustomers(`many ${tag}`)).customers;
    expect(row!.accounts.map((a) => a.accountId)).toEqual(opened.slice(0, ACCOUNTS_PER_CUSTOMER));
    expect(row!.accountCount).toBe(ACCOUNTS_PER_CUSTOMER + 3);
  });
});

describe('disabling a customer', () => {
  it('revokes sessions and API keys at once, answers 401 with a clear message, deletes nothing, and can be undone', async () => {
    const customer = await signUp(auth(), { name: 'Mallory' });
    const { key } = await auth().api.createApiKey({
      body: { name: 'ci' },
      headers: new Headers({ cookie: customer.cookie }),
    });
    const account = await openAccountFor(customer.id, 1_000);
    expect(await identifyRequest(request({ authorization: `Bearer ${key}` }))).toMatchObject({ status: 'customer' });

    const outcome = await disableCustomer(customer.id, admin, adminHeaders());
    expect(outcome).toEqual({
      ok: true,
      message: 'Disabled Mallory: 1 session and 1 API key revoked. Nothing was deleted.',
    });
    expect(await db().session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await db().apiKey.findMany({ where: { referenceId: customer.id }, select: { enabled: true } })).toEqual([
      { enabled: false },
    ]);
    expect(await db().accountBalance.count({ where: { accountId: account.accountId } })).toBe(1);

    expect(await identifyRequest(request({ authorization: `Bearer ${key}` }))).toEqual({ status: 'disabled' });
    expect(await identifyRequest(request({ cookie: customer.cookie }))).toEqual({ status: 'anonymous' }); // the session is gone
    const response = await customerRequest(request({ authorization: `Bearer ${key}` }), () =>
      Promise.resolve(new Response('ran')),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      type: '/problems/customer-disabled',
      title: 'Customer disabled',
      detail: expect.stringMatching(/disabled by an administrator/),
    });
    expect((await post(auth(), '/sign-in/email', { email: customer.email, password: customer.password })).status).toBe(
      403,
    );
    expect((await searchCustomers(customer.email)).customers[0]).toMatchObject({
      disabled: true,
      sessions: 0,
      apiKeys: { active: 0, revoked: 1 },
    });

    expect(await enableCustomer(customer.id, admin, adminHeaders())).toMatchObject({ ok: true });
    expect((await post(auth(), '/sign-in/email', { email: customer.email, password: customer.password })).status).toBe(
      200,
    );
    // The revoked key stays revoked (its owner is no longer disabled, so it is just an unknown key).
    expect(await identifyRequest(request({ authorization: `Bearer ${key}` }))).toEqual({
      status: 'anonymous',
      badKey: true,
    });
  });

  it('records the acting admin on every disable and enable, in an append-only audit log', async () => {
    const customer = await signUp(auth(), { name: 'Audited' });
    await disableCustomer(customer.id, admin, adminHeaders());
    await enableCustomer(customer.id, admin, adminHeaders());
    const entries = await db().adminAuditEntry.findMany({ where: { target: customer.id }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.action, e.adminId, e.adminEmail])).toEqual([
      ['customer.disable', admin.id, admin.email],
      ['customer.enable', admin.id, admin.email],
    ]);
    expect((await listAdminActions()).entries.slice(0, 2).map((e) => e.action)).toEqual([
      'customer.enable',
      'customer.disable',
    ]);
    await expect(db().adminAuditEntry.deleteMany({ where: { target: customer.id } })).rejects.toThrow(/append-only/);
    await expect(
      db().adminAuditEntry.updateMany({ where: { target: customer.id }, data: { adminEmail: 'someone@else' } }),
    ).rejects.toThrow(/append-only/);
  });

  it('an admin cannot disable themselves; an unknown id changes nothing', async () => {
    expect(await disableCustomer(admin.id, admin, adminHeaders())).toEqual({
      ok: false,
      message: 'You cannot disable yourself: ask another administrator.',
    });
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).banned).not.toBe(true);
    expect(await disableCustomer('no-such-user', admin, adminHeaders())).toMatchObject({ ok: false });
    expect(await enableCustomer('no-such-user', admin, adminHeaders())).toMatchObject({ ok: false });
  });
});
