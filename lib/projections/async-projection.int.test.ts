import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { freshDatabase } from '@/test/db';
import { DAILY_TOTALS } from './daily-totals';
import { readGlobalLog, START } from './global-log';
import { ASYNC_PROJECTIONS, catchUp, processBatch, PROJECTION_LOCK_CLASS } from './runner';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// A database of this file's own: the projection reads the whole global log.
let url: string;
let drop: () => Promise<void>;
let db: Db;
const pool = () => new pg.Pool({ connectionString: url, max: 60 });
const projection = ASYNC_PROJECTIONS.find((p) => p.name === DAILY_TOTALS)!;

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  db = createPrismaClient(url, 10);
});
afterAll(async () => {
  await db.$disconnect();
  await drop();
});

/** Writes one MoneyDeposited event the raw way, so a test can hold its transaction open. */
async function insertDeposit(client: pg.ClientBase, accountId: string, version: number, amountCents: number) {
  const commandId = randomUUID();
  await client.query(
    `INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at) VALUES (idem_command_key($1), $1, 'DepositMoney', ARRAY[$2], 'f', 'accepted', '{}', now())`,
    [commandId, `account-${accountId}`],
  );
  await client.query(
    `INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at) VALUES ($1, $2, 'MoneyDeposited', $3, '{"schemaVersion":2}', idem_command_key($4), '2026-11-26T10:00:00Z')`,
    [
      `account-${accountId}`,
      version,
      JSON.stringify({
        accountId,
        amountCents,
        currency: 'USD',
        balanceAfterCents: amountCents * version,
        depositedAt: 'x',
      }),
      commandId,
    ],
  );
}

/** The projection's totals next to the same totals computed directly from the events table. */
async function projectedVersusLog(client: pg.Pool | pg.ClientBase) {
  const projected = await client.query(
    `SELECT account_id, deposit_count, deposits_cents::text FROM daily_account_totals WHERE deposit_count > 0 ORDER BY account_id`,
  );
  const direct = await client.query(
    // An event's account is its stream's (its stored data leaves the id out when it is: storedDataOf).
    `SELECT substring(stream_id FROM length('account-') + 1)::uuid AS account_id, count(*)::int AS deposit_count, sum((data->>'amountCents')::bigint)::text AS deposits_cents
       FROM events WHERE type = 'MoneyDeposited' GROUP BY 1 ORDER BY 1`,
  );
  return { projected: projected.rows, direct: direct.rows };
}

describe('reading the global log', () => {
  it('a position-only reader skips an event whose transaction commits late; the xid8 reader does not', async () => {
    const p = pool();
    const [slow, fast, reader] = await Promise.all([p.connect(), p.connect(), p.connect()]);
    try {
      const [a, b] = [randomUUID(), randomUUID()];
      await slow.query('BEGIN');
      await insertDeposit(slow, a, 1, 100); // takes the lower position, commits last
      await insertDeposit(fast, b, 1, 200);
      const naiveFirst = await reader.query<{ p: string }>(
        `SELECT global_position::text AS p FROM events ORDER BY global_position`,
      );
      const naiveCheckpoint = BigInt(naiveFirst.rows.at(-1)!.p);
      expect(await readGlobalLog(reader, START, 100)).toEqual([]); // safe reader waits for the open transaction
      await slow.query('COMMIT');

      const naiveNext = await reader.query(`SELECT 1 FROM events WHERE global_position > $1`, [
        naiveCheckpoint.toString(),
      ]);
      expect(naiveNext.rowCount).toBe(0); // the naive reader has lost account a's deposit for good
      const safe = await readGlobalLog(reader, START, 100);
      expect(safe.map((e) => e.data.accountId).sort()).toEqual([a, b].sort());
    } finally {
      slow.release();
      fast.release();
      reader.release();
      await p.end();
    }
  });

  it('50 concurrent writers with delayed commits: every event counted exactly once', async () => {
    const p = pool();
    const accounts = Array.from({ length: 10 }, () => newAccountId());
    let writing = true;
    const runner = (async () => {
      const client = await p.connect();
      try {
        while (writing) await processBatch(client, projection, 7); // small batches: many checkpoints mid-storm
        await catchUp(client, projection);
      } finally {
        client.release();
      }
    })();
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const client = await p.connect();
        try {
          for (let round = 0; round < 4; round++) {
            const accountId = accounts[(i + round) % accounts.length]!;
            await client.query('BEGIN');
            // Serialise this test's writers per stream so they never collide on versions; the
            // commits still land in a different order from the positions they took.
            await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [accountId]);
            const { rows } = await client.query<{ v: number }>(
              `SELECT COALESCE(max(version), 0)::int AS v FROM events WHERE stream_id = $1`,
              [`account-${accountId}`],
            );
            await insertDeposit(client, accountId, rows[0]!.v + 1, 1 + i);
            await client.query('SELECT pg_sleep($1)', [Math.random() * 0.15]); // the delayed commit
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    writing = false;
    await runner;
    const client = await p.connect();
    try {
      const { projected, direct } = await projectedVersusLog(client);
      expect(projected).toEqual(direct);
      const events = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`);
      const checkpoint = await client.query<{ n: string }>(
        `SELECT events_processed::text AS n FROM projection_checkpoints WHERE name = $1`,
        [DAILY_TOTALS],
      );
      expect(Number(checkpoint.rows[0]!.n)).toBe(events.rows[0]!.n);
      expect(direct.reduce((n, r) => n + r.deposit_count, 0)).toBeGreaterThanOrEqual(200);
    } finally {
      client.release();
      await p.end();
    }
  });
});

describe('one runner at a time, across processes', () => {
  it('two processes: one leads; kill -9 it and the other takes over; each event still counted once', async () => {
    const p = pool();
    const children: ChildProcess[] = [];
    const leader = async () => {
      const { rows } = await p.query<{ app: string }>(
        `SELECT a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = hashtext($2)::oid AND l.granted`,
        [PROJECTION_LOCK_CLASS, DAILY_TOTALS],
      );
      return rows[0]?.app ?? null;
    };
    const until = (what: string, check: () => Promise<boolean>) =>
      vi.waitFor(
        async () => {
          if (!(await check())) throw new Error(`waiting for ${what}`);
        },
        { timeout: 30_000, interval: 100 },
      );
    const deposit = (accountId: AccountId, amountCents: number) =>
      handleAccountCommand(
        {
          type: 'DepositMoney',
          data: { accountId, amountCents },
          metadata: { commandId: randomUUID(), now: new Date(), customerId: CUSTOMER },
        },
        { db },
      );
    const inSync = async () => {
      const { projected, direct } = await projectedVersusLog(p);
      return JSON.stringify(projected) === JSON.stringify(direct);
    };
    try {
      for (let i = 0; i < 2; i++) {
        // A process group of its own, so the cleanup below ends tsx and node too, not only a wrapper.
        const child = spawn('node_modules/.bin/tsx', ['scripts/projections.ts'], {
          env: { ...process.env, DATABASE_URL: url, IDEM_PROJECTION_POLL_MS: '100' },
          stdio: 'ignore',
          detached: true,
        });
        children.push(child);
      }
      await until('a leader', async () => (await leader()) !== null);
      const first = (await leader())!;

      const accountId = newAccountId();
      await handleAccountCommand(
        {
          type: 'OpenAccount',
          data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Runner', openingDepositCents: 100 },
          metadata: { commandId: randomUUID(), now: new Date(), customerId: CUSTOMER },
        },
        { db },
      );
      for (let i = 1; i <= 10; i++) await deposit(accountId, i);
      await until('the first runner to catch up', inSync);

      const pid = Number(first.replace('idem-projections-', ''));
      process.kill(pid, 'SIGKILL');
      for (let i = 11; i <= 20; i++) await deposit(accountId, i);
      await until('a new leader', async () => {
        const now = await leader();
        return now !== null && now !== first;
      });
      await until('the second runner to catch up', inSync);
      const { projected } = await projectedVersusLog(p);
      const row = projected.find((r) => r.account_id === accountId);
      expect(row).toMatchObject({ deposit_count: 21, deposits_cents: String(100 + 210) });
    } finally {
      for (const child of children) {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await p.end();
    }
  });
});
