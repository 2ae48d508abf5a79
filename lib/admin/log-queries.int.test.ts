import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { accountStreamId } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { newAccountId } from '@/lib/accounts/ids';
import { db } from '@/lib/db/prisma';
import { appDatabase } from '@/test/auth';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { listEvents } from './log-queries';

// The console's global log filtered by stream: found through the events' stream index, which is
// keyed by the stream id's key (lib/event-store/stream-key.ts), then read by position. The same
// pages, cursors and counts as any other filter, and only the streams asked for.

appDatabase();

const now = new Date('2026-12-06T12:00:00.000Z');
const command = (data: Record<string, unknown>, type: string) =>
  handleAccountCommand({ type, data, metadata: { commandId: randomUUID(), now, customerId: CUSTOMER } } as never, {
    db: db(),
  });

async function account(deposits: number): Promise<AccountId> {
  const accountId = newAccountId();
  const opened = await command(
    { accountId, accountNumber: testAccountNumber(accountId), owner: 'Log', openingDepositCents: 100 },
    'OpenAccount',
  );
  expect(opened.status).toBe('accepted');
  for (let i = 1; i <= deposits; i++)
    expect((await command({ accountId, amountCents: i }, 'DepositMoney')).status).toBe('accepted');
  return accountId;
}

const positionsOf = (page: { events: { globalPosition: bigint; streamId: string }[] }) =>
  page.events.map((e) => e.globalPosition);

describe('listEvents by stream', () => {
  it('pages one stream newest first, both ways, with its count, and nothing of another stream', async () => {
    const a = await account(5);
    const b = await account(2);
    const all = (
      await db().event.findMany({ where: { streamId: accountStreamId(a) }, orderBy: { globalPosition: 'desc' } })
    ).map((e) => e.globalPosition);
    expect(all).toHaveLength(7); // opened, the opening deposit, five deposits

    const first = await listEvents({ streams: [accountStreamId(a)], limit: 4 });
    expect(positionsOf(first)).toEqual(all.slice(0, 4));
    expect(first.events.every((e) => e.streamId === accountStreamId(a))).toBe(true);
    expect(first.events[0]).toMatchObject({ type: 'MoneyDeposited', data: { accountId: a, amountCents: 5 } });
    expect(first.events.at(-1)!.commandId).toEqual(expect.any(String));
    expect(first.matching).toBe(7);
    expect(first.newerCursor).toBeUndefined();
    expect(first.olderCursor).toBe(all[3]);

    const older = await listEvents({ streams: [accountStreamId(a)], limit: 4, before: first.olderCursor });
    expect(positionsOf(older)).toEqual(all.slice(4));
    expect(older.olderCursor).toBeUndefined();
    expect(older.newerCursor).toBe(all[4]);

    const newer = await listEvents({ streams: [accountStreamId(a)], limit: 4, after: older.newerCursor });
    expect(positionsOf(newer)).toEqual(all.slice(0, 4));
    expect(newer.newerCursor).toBeUndefined();
    expect(newer.olderCursor).toBe(all[3]);

    const both = await listEvents({ streams: [accountStreamId(a), accountStreamId(b)], limit: 50 });
    expect(both.matching).toBe(11);
    expect(new Set(both.events.map((e) => e.streamId))).toEqual(new Set([accountStreamId(a), accountStreamId(b)]));
  });

  it('combines with the other filters, and an empty list of streams matches nothing', async () => {
    const a = await account(3);
    const deposits = await listEvents({ streams: [accountStreamId(a)], type: 'MoneyDeposited' });
    expect(deposits.events.map((e) => (e.data as { amountCents: number }).amountCents)).toEqual([3, 2, 1, 100]);
    expect(deposits.matching).toBe(4);
    const one = deposits.events[1]!;
    const byCommand = await listEvents({ streams: [accountStreamId(a)], commandId: one.commandId });
    expect(positionsOf(byCommand)).toEqual([one.globalPosition]);
    expect(await listEvents({ streams: [accountStreamId(a)], from: new Date(now.getTime() + 1) })).toMatchObject({
      events: [],
      matching: 0,
    });
    expect(await listEvents({ streams: [] })).toMatchObject({ events: [], matching: 0 });
  });
});
