import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountCommandSpec, handleAccountCommand } from '@/lib/accounts/account-commands';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import type { AccountCommand } from '@/lib/accounts/domain/account';
import type { Prisma } from '@/lib/generated/prisma/client';
import { newAccountId } from '@/lib/accounts/ids';
import { commandKeyOf, loadForCommand, readStream } from '@/lib/event-store';
import { testDb } from '@/test/db';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// What the rows of a command store, leaner than what their readers get back: an event's metadata
// only what its own and its command's columns do not say (storedMetadataOf: nothing, usually), a
// command's outcome as values without keys (lib/accounts/outcome-codecs.ts: about 160 bytes less per
// command), the command id once (its key, 16 bytes, elsewhere), the fingerprint as bytes. Every
// reader still gets the whole of it, and replays answer the same.

const db = testDb(4);
const now = new Date('2026-12-06T12:00:00.000Z');

/** A command row as an earlier version of the engine stored it: accepted, with this stored outcome. */
const storeAccepted = (command: AccountCommand, outcome: Prisma.InputJsonValue) =>
  db.command.create({
    data: {
      commandKey: commandKeyOf(command.metadata.commandId),
      commandId: command.metadata.commandId,
      type: command.type,
      streamIds: [`account-${command.data.accountId}`],
      fingerprint: Buffer.from(accountCommandSpec(command).fingerprint, 'hex'),
      status: 'accepted',
      outcome,
      createdAt: now,
    },
  });

/** Opens an account of CUSTOMER with this command id and opening deposit. */
const openAccount = (accountId: AccountId, commandId: string, owner: string, openingDepositCents: number) =>
  handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner, openingDepositCents },
      metadata: { commandId, now, customerId: CUSTOMER },
    },
    { db },
  );

describe('stored event metadata', () => {
  it('is nothing beyond its schema version column, and reads back with the command id as causation and correlation', async () => {
    const accountId = newAccountId();
    const open = randomUUID();
    const withdraw = `${CUSTOMER}:${randomUUID()}`;
    await openAccount(accountId, open, 'M', 1_000);
    const result = await handleAccountCommand(
      {
        type: 'WithdrawMoney',
        data: { accountId, amountCents: 300 },
        metadata: { commandId: withdraw, now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(result.status).toBe('accepted');

    const stored = await db.$queryRaw<{ metadata: unknown; schema_version: number }[]>`
      SELECT metadata, schema_version FROM events WHERE stream_id = ${`account-${accountId}`} ORDER BY version`;
    // Opening writes AccountOpened and its opening deposit; the withdrawal one event. Nothing is left
    // for the metadata column: the schema version has its own (2 bytes).
    expect(stored).toEqual([
      { metadata: null, schema_version: 2 },
      { metadata: null, schema_version: 2 },
      { metadata: null, schema_version: 2 },
    ]);

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

  it('a command stores its outcome as values, and its duplicate is answered with the same result', async () => {
    const accountId = newAccountId();
    const deposit = `${CUSTOMER}:${randomUUID()}`;
    const opened = await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Ola', openingDepositCents: 500 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(opened.status).toBe('accepted');
    const command = {
      type: 'DepositMoney' as const,
      data: { accountId, amountCents: 250 },
      metadata: { commandId: deposit, now, customerId: CUSTOMER },
    };
    const first = await handleAccountCommand(command, { db });
    const [row] = await db.$queryRaw<{ outcome: unknown; bytes: number }[]>`
      SELECT outcome, pg_column_size(outcome) AS bytes FROM commands WHERE command_id = ${deposit}`;
    // Not the account's number and holder: the account says them (lib/accounts/outcome-codecs.ts).
    expect(row!.outcome).toEqual([250, 750, 3]);
    expect(row!.bytes).toBeLessThan(48);
    const again = await handleAccountCommand(command, { db });
    expect(first).toMatchObject({
      status: 'accepted',
      replayed: false,
      result: { accountNumber: testAccountNumber(accountId), owner: 'Ola' },
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify({ ...first, replayed: true }));
  });

  it('a duplicate answered after its account was snapshotted names the same number and holder', async () => {
    const accountId = newAccountId();
    await openAccount(accountId, randomUUID(), 'Snap Shot', 100);
    const deposit = (commandId: string) =>
      handleAccountCommand(
        {
          type: 'DepositMoney',
          data: { accountId, amountCents: 1 },
          metadata: { commandId, now, customerId: CUSTOMER },
        },
        { db, snapshotEvery: 5 },
      );
    const firstId = `${CUSTOMER}:${randomUUID()}`;
    const first = await deposit(firstId);
    for (let i = 0; i < 12; i++) expect((await deposit(`${CUSTOMER}:${randomUUID()}`)).status).toBe('accepted');
    const [snapshot] = await db.$queryRaw<{ version: number }[]>`
      SELECT version FROM snapshots WHERE stream_id = ${`account-${accountId}`}`;
    expect(snapshot!.version).toBeGreaterThan(3); // the first deposit's event is behind the snapshot
    const again = await deposit(firstId);
    expect(first).toMatchObject({ result: { accountNumber: testAccountNumber(accountId), owner: 'Snap Shot' } });
    expect(JSON.stringify(again)).toBe(JSON.stringify({ ...first, replayed: true }));
  });

  it('an outcome stored as values with the number and holder, before they were left out, replays as it was', async () => {
    const accountId = newAccountId();
    await openAccount(accountId, randomUUID(), 'Now', 1_000);
    const commandId = `${CUSTOMER}:${randomUUID()}`;
    const command = {
      type: 'DepositMoney' as const,
      data: { accountId, amountCents: 5 },
      metadata: { commandId, now, customerId: CUSTOMER },
    };
    await storeAccepted(command, [5, 1_005, 3, '000000000042', 'Then']);
    expect(await handleAccountCommand(command, { db })).toEqual({
      status: 'accepted',
      result: {
        accountId,
        accountNumber: '000000000042',
        owner: 'Then',
        amountCents: 5,
        balanceCents: 1_005,
        version: 3,
      },
      commandId,
      replayed: true,
    });
  });

  it('an outcome stored whole, before the lean form, is replayed as it was', async () => {
    const accountId = newAccountId();
    const commandId = `${CUSTOMER}:${randomUUID()}`;
    const command = {
      type: 'WithdrawMoney' as const,
      data: { accountId, amountCents: 100 },
      metadata: { commandId, now, customerId: CUSTOMER },
    };
    const result = {
      accountId,
      accountNumber: testAccountNumber(accountId),
      owner: 'Before',
      amountCents: 100,
      balanceCents: 900,
      version: 7,
    };
    await storeAccepted(command, { status: 'accepted', result });
    expect(await handleAccountCommand(command, { db })).toEqual({
      status: 'accepted',
      result,
      commandId,
      replayed: true,
    });
  });
});

describe('the command id, stored once', () => {
  it('is in the command’s row alone; the command and its events are keyed by 16 bytes derived from it', async () => {
    const accountId = newAccountId();
    const open = `${CUSTOMER}:${randomUUID()}`;
    await openAccount(accountId, open, 'K', 500);
    const columns = await db.$queryRaw<{ table_name: string; column_name: string }[]>`
      SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name IN ('events', 'commands') AND column_name LIKE 'command%'
       ORDER BY table_name, column_name`;
    expect(columns).toEqual([
      { table_name: 'commands', column_name: 'command_id' },
      { table_name: 'commands', column_name: 'command_key' },
      { table_name: 'events', column_name: 'command_key' },
    ]);
    const [command] = await db.$queryRaw<{ key: string; bytes: number }[]>`
      SELECT command_key::text AS key, pg_column_size(command_key) AS bytes FROM commands WHERE command_id = ${open}`;
    expect(command).toEqual({ key: commandKeyOf(open), bytes: 16 });
    const events = await db.$queryRaw<{ key: string }[]>`
      SELECT command_key::text AS key FROM events WHERE stream_id = ${`account-${accountId}`} ORDER BY version`;
    expect(events).toEqual([{ key: commandKeyOf(open) }, { key: commandKeyOf(open) }]);
    // Readers get the id back: the stream's events, and the command by its id.
    expect((await readStream(db, `account-${accountId}`)).map((e) => e.metadata.commandId)).toEqual([open, open]);
    expect((await loadForCommand(db, open, [`account-${accountId}`])).command).toMatchObject({ commandId: open });
  });

  it('the fingerprint is stored as its 32 bytes; the same key with another request is still refused', async () => {
    const accountId = newAccountId();
    const key = `${CUSTOMER}:${randomUUID()}`;
    const open = {
      type: 'OpenAccount' as const,
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'F', openingDepositCents: 500 },
      metadata: { commandId: key, now, customerId: CUSTOMER },
    };
    await handleAccountCommand(open, { db });
    const [row] = await db.$queryRaw<{ hex: string; bytes: number }[]>`
      SELECT encode(fingerprint, 'hex') AS hex, pg_column_size(fingerprint) AS bytes FROM commands WHERE command_id = ${key}`;
    expect(row).toEqual({ hex: accountCommandSpec(open).fingerprint, bytes: 33 });
    expect(await handleAccountCommand(open, { db })).toMatchObject({ status: 'accepted', replayed: true });
    expect(
      await handleAccountCommand({ ...open, data: { ...open.data, openingDepositCents: 501 } }, { db }),
    ).toMatchObject({ status: 'key-reused' });
  });

  it('the app and the database derive the same key from any id (SHA-256 of its UTF-8, first 16 bytes)', async () => {
    const ids = [
      'a',
      `${CUSTOMER}:${randomUUID()}`,
      'zahlung:über-€-💶',
      'x'.repeat(320),
      'standing-order:k:2026-12-01',
    ];
    const rows = await db.$queryRaw<{ key: string }[]>`
      SELECT idem_command_key(id)::text AS key FROM unnest(${ids}::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n`;
    expect(rows.map((r) => r.key)).toEqual(ids.map(commandKeyOf));
    // Known value: the first 16 bytes of SHA-256("a").
    expect(commandKeyOf('a')).toBe('ca978112-ca1b-bdca-fac2-31b39a23dc4d');
    expect(new Set(ids.map(commandKeyOf)).size).toBe(ids.length);
  });
});
