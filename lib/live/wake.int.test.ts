import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { createPrismaClient, poolOf, type Db } from '@/lib/db/prisma';
import type { LogEvent } from '@/lib/projections/global-log';
import { CUSTOMER } from '@/test/customers';
import { freshDatabase } from '@/test/db';
import { openAccountFor } from '@/test/standing-order-fixtures';
import { newLiveHub } from './hub';
import { liveWaker } from './wake';

// The live feed's wake-up against a real PostgreSQL: a commit that appends events no longer
// notifies by itself (its commit would hold the server's notification lock through its flush);
// the wake-up sent after it is what a hub hears. The hub here polls once an hour, so it reads the
// log only when told to.

let db: Db;
let drop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  db = createPrismaClient(url, 4);
});
afterAll(async () => {
  await db.$disconnect();
  await drop();
});

const deposit = (accountId: AccountId) =>
  handleAccountCommand(
    {
      type: 'DepositMoney',
      data: { accountId, amountCents: 250 },
      metadata: { commandId: randomUUID(), now: new Date(), customerId: CUSTOMER },
    },
    { db },
  );

describe('the wake-up after a commit', () => {
  it('an appending commit sends no notification; the wake-up after it brings its events to a hub', async () => {
    const accountId = await openAccountFor(db, 100);

    // A listener of its own sees every notification on the channel.
    const ear = new pg.Client({ connectionString: url });
    await ear.connect();
    const heard: string[] = [];
    ear.on('notification', (n) => heard.push(n.channel));
    await ear.query('LISTEN idem_events');

    const hub = newLiveHub(url, 3_600_000);
    const delivered: LogEvent[] = [];
    const unsubscribe = await hub.subscribe(`account-${accountId}`, (events) => delivered.push(...events));
    try {
      expect((await deposit(accountId)).status).toBe('accepted');
      // Committed, and a round trip of the listener's later than the commit: nothing was sent.
      await ear.query('SELECT 1');
      expect(heard).toEqual([]);
      expect(delivered).toEqual([]);

      liveWaker(() => poolOf(db)).eventsCommitted();
      await vi.waitFor(() => expect(delivered.map((e) => e.type)).toEqual(['MoneyDeposited']), { timeout: 10_000 });
      expect(heard).toEqual(['idem_events']);
    } finally {
      unsubscribe();
      await hub.stop();
      await ear.end();
    }
  });
});
