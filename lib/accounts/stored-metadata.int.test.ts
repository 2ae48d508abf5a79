import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { readStream } from '@/lib/event-store';
import { testDb } from '@/test/db';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// An event's row stores of its metadata only what its own and its command's columns do not say
// (storedMetadataOf): about 200 bytes less per event. Every reader still gets the whole of it.

const db = testDb(4);
const now = new Date('2026-12-06T12:00:00.000Z');

describe('stored event metadata', () => {
  it('is the schema version alone, and reads back with the command id as causation and correlation', async () => {
    const accountId = newAccountId();
    const open = randomUUID();
    const withdraw = `${CUSTOMER}:${randomUUID()}`;
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'M', openingDepositCents: 1_000 },
        metadata: { commandId: open, now, customerId: CUSTOMER },
      },
      { db },
    );
    const result = await handleAccountCommand(
      {
        type: 'WithdrawMoney',
        data: { accountId, amountCents: 300 },
        metadata: { commandId: withdraw, now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(result.status).toBe('accepted');

    const stored = await db.$queryRaw<{ metadata: unknown; bytes: number }[]>`
      SELECT metadata, pg_column_size(metadata) AS bytes FROM events WHERE stream_id = ${`account-${accountId}`} ORDER BY version`;
    // Opening writes AccountOpened and its opening deposit; the withdrawal one event.
    expect(stored.map((r) => r.metadata)).toEqual([{ schemaVersion: 2 }, { schemaVersion: 2 }, { schemaVersion: 2 }]);
    expect(stored.every((r) => r.bytes < 48)).toBe(true);

    const events = await readStream(db, `account-${accountId}`);
    expect(events.map((e) => e.metadata)).toEqual([
      { commandId: open, causationId: open, correlationId: open, schemaVersion: 2 },
      { commandId: open, causationId: open, correlationId: open, schemaVersion: 2 },
      { commandId: withdraw, causationId: withdraw, correlationId: withdraw, schemaVersion: 2 },
    ]);

    // A retry is answered from the stored outcome and writes nothing.
    const again = await handleAccountCommand(
      {
        type: 'WithdrawMoney',
        data: { accountId, amountCents: 300 },
        metadata: { commandId: withdraw, now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(again).toMatchObject({ status: 'accepted', replayed: true });
    expect((await readStream(db, `account-${accountId}`)).length).toBe(3);
  });
});
