import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db/prisma';
import { appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer, type OpenedAccount } from '@/test/in-process-api';
import { answerText } from '@/test/typed-api';
import { addDays } from './domain/schedule';
import { lookOnce } from './scheduler';

// The standing orders' API: create (with an Idempotency-Key), list with occurrences, cancel; every
// answer is validated against the OpenAPI document by the integration project's recorder.

let a: ApiCustomer;
let b: ApiCustomer;
let mine: OpenedAccount;
let theirs: OpenedAccount;
const today = new Date().toISOString().slice(0, 10);
appDatabase();
beforeAll(async () => {
  [a, b] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Bob Builder')];
  mine = await a.open('100.00', 'Savings');
  theirs = await b.open('0.00', 'Spending');
});

const reply = ({ response }: { response: Response }) => ({
  status: response.status,
  type: response.headers.get('content-type'),
  replayed: response.headers.get('idempotent-replayed'),
  text: answerText(response),
});
const create = (who: ApiCustomer, accountId: string, body: unknown, key: string | null = randomUUID()) =>
  who.api
    .POST('/api/accounts/{accountId}/standing-orders', {
      params: { path: { accountId }, header: (key === null ? {} : { 'Idempotency-Key': key }) as never },
      body: body as never,
    })
    .then(reply);
const list = (who: ApiCustomer, accountId: string) =>
  who.api.GET('/api/accounts/{accountId}/standing-orders', { params: { path: { accountId } } });
const cancel = (who: ApiCustomer, id: string) =>
  who.api.DELETE('/api/standing-orders/{standingOrderId}', { params: { path: { standingOrderId: id } } }).then(reply);

describe('standing orders over the API', () => {
  it('creates one (201), replays the same key byte for byte, pays it on its day and lists the payment', async () => {
    const body = { toAccountNumber: theirs.accountNumber, amount: '12.50', every: 'month', firstPaymentOn: today };
    const key = randomUUID();
    const first = await create(a, mine.id, body, key);
    expect(first.status).toBe(201);
    const created = JSON.parse(first.text);
    expect(created).toEqual({
      id: expect.any(String),
      toAccountNumber: theirs.accountNumber,
      amount: '12.50',
      every: 'month',
      nextPaymentOn: today,
      status: 'active',
    });
    const again = await create(a, mine.id, body, key);
    expect(again).toMatchObject({ status: 201, replayed: 'true', text: first.text });
    expect(await db().standingOrder.count({ where: { fromAccountId: mine.id } })).toBe(1);

    const before = await list(a, mine.id);
    expect(before.data!.standingOrders[0]!.occurrences).toEqual([{ dueOn: today, status: 'pending' }]);

    await lookOnce({ clock: () => new Date(), batch: 100 });
    const after = await list(a, mine.id);
    const listed = after.data!.standingOrders[0]!;
    expect(listed.occurrences[0]).toEqual({
      dueOn: today,
      status: 'paid',
      commandId: `standing-order:${created.id}:${today}`,
    });
    expect(listed.occurrences[1]).toMatchObject({ status: 'pending' });
    expect(listed.nextPaymentOn).toBe(listed.occurrences[1]!.dueOn);
    const balance = await db().accountBalance.findUniqueOrThrow({ where: { accountId: theirs.id } });
    expect(balance.balanceCents).toBe(1250n);
  });

  it('refuses bad input with a problem naming the field, and creates nothing', async () => {
    const count = () => db().standingOrder.count();
    const before = await count();
    const good = { toAccountNumber: theirs.accountNumber, amount: '1.00', every: 'week', firstPaymentOn: today };
    const cases: [unknown, number, string][] = [
      [{ ...good, every: 'day' }, 422, 'every'],
      [{ ...good, firstPaymentOn: '2027-02-30' }, 422, 'firstPaymentOn'],
      [{ ...good, firstPaymentOn: addDays(today, -1) }, 422, 'firstPaymentOn'],
      [{ ...good, amount: '0.00' }, 422, 'amount'],
      [{ ...good, amount: 5 }, 422, 'amount'],
      [{ ...good, extra: 1 }, 422, 'extra'],
      [{ ...good, toAccountNumber: mine.accountNumber }, 422, 'same-account'],
    ];
    for (const [body, status, mention] of cases) {
      const answer = await create(a, mine.id, body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.type).toBe('application/problem+json');
      expect(answer.text).toContain(mention);
    }
    expect((await create(a, mine.id, good, null)).status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('someone else’s account and order are not there (404), and nothing is created or cancelled', async () => {
    const body = { toAccountNumber: mine.accountNumber, amount: '1.00', every: 'week', firstPaymentOn: today };
    expect((await create(b, mine.id, body)).status).toBe(404);
    expect((await list(b, mine.id)).response.status).toBe(404);
    const own = JSON.parse((await create(a, mine.id, { ...body, toAccountNumber: theirs.accountNumber })).text);
    const refused = await cancel(b, own.id);
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.text).type).toBe('/problems/standing-order-not-found');
    expect((await db().standingOrder.findUniqueOrThrow({ where: { standingOrderId: own.id } })).status).toBe('active');
    expect((await cancel(a, 'not-a-uuid')).status).toBe(404);
  });

  it('cancels (200), says nothing was running, and cancelling again answers the same', async () => {
    const body = {
      toAccountNumber: theirs.accountNumber,
      amount: '1.00',
      every: 'month-end',
      firstPaymentOn: addDays(today, 3),
    };
    const own = JSON.parse((await create(a, mine.id, body)).text);
    const first = await cancel(a, own.id);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ id: own.id, status: 'cancelled', runningOccurrence: null });
    const second = await cancel(a, own.id);
    expect(second).toMatchObject({ status: 200, replayed: 'true', text: first.text });
    const listed = (await list(a, mine.id)).data!.standingOrders.find((o) => o.id === own.id)!;
    expect(listed).toMatchObject({ status: 'cancelled', nextPaymentOn: null, occurrences: [] });
  });
});
