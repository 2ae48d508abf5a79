// Behind Debian's PgBouncer 1.18 in transaction mode, with no setting of ours: the pooler cannot keep
// prepared statements (each transaction may get another server connection), so the first statement it
// refuses (26000 / 42P05) switches the process to unnamed statements, with one warning line, and every
// command and read goes on working. One server connection behind the pooler: the app's connections all
// land on it, so the second of them to prepare a statement is refused for sure (42P05, it exists
// already). With four, the refusal depended on the pooler handing a client another server connection,
// and one run in about eight never had one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { log } from '@/lib/observability/log';
import { isConnectionError } from './connection-errors';
import { freePort } from './embedded-postgres';
import { withClient } from './with-client';
import { preparedStatements } from './prepared-statements';
import { createPrismaClient, type Db } from './prisma';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

const PGBOUNCER = '/usr/sbin/pgbouncer';
let dir: string;
let bouncer: ChildProcess;
let db: Db;
const output: string[] = [];

beforeAll(async () => {
  const server = new URL(inject('databaseUrl'));
  const port = await freePort();
  dir = mkdtempSync(path.join(tmpdir(), 'idem-pgbouncer-'));
  chmodSync(dir, 0o777);
  const user = decodeURIComponent(server.username);
  writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" "${decodeURIComponent(server.password)}"\n`, {
    mode: 0o644,
  });
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    `[databases]
${server.pathname.slice(1)} = host=${server.hostname} port=${server.port} dbname=${server.pathname.slice(1)}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = plain
auth_file = ${dir}/userlist.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 100
pidfile = ${dir}/pgbouncer.pid
`,
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  bouncer = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [bouncer.stdout, bouncer.stderr]) s?.on('data', (c: Buffer) => output.push(c.toString()));
  const url = new URL(server);
  url.port = String(port);
  await vi.waitFor(() => withClient(url.toString(), (c) => c.query('SELECT 1')), { timeout: 20_000, interval: 100 });
  db = createPrismaClient(url.toString(), 8);
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  bouncer?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('behind PgBouncer in transaction mode, with no extra setting', () => {
  it('falls back to unnamed statements by itself: every command and read works, one warning line', async () => {
    const warn = vi.spyOn(log(), 'warn');
    expect(preparedStatements()).toBe(true);
    const now = new Date('2026-12-06T12:00:00.000Z');
    // Until the switch, a refusal inside a transaction answers "unavailable" (503, nothing written):
    // a client retries with its key, as the API's clients do.
    const retried = async <T>(run: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await run();
        } catch (error) {
          if (attempt > 5 || !isConnectionError(error)) throw error;
        }
      }
    };
    const results = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const accountId = newAccountId();
        // A retry sends the same command (the same key), as an API client would.
        const opening = {
          type: 'OpenAccount' as const,
          data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Ada', openingDepositCents: 500 },
          metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
        };
        const open = await retried(() => handleAccountCommand(opening, { db }));
        const deposits = [];
        for (let i = 0; i < 5; i++) {
          const deposit = {
            type: 'DepositMoney' as const,
            data: { accountId, amountCents: 100 },
            metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
          };
          deposits.push(await retried(() => handleAccountCommand(deposit, { db })));
        }
        const balance = await retried(() => db.accountBalance.findUniqueOrThrow({ where: { accountId } }));
        return { open, deposits, balance: Number(balance.balanceCents) };
      }),
    );
    for (const r of results) {
      expect(r.open).toMatchObject({ status: 'accepted' });
      for (const d of r.deposits) expect(d).toMatchObject({ status: 'accepted' });
      expect(r.balance).toBe(1_000);
    }
    expect(preparedStatements(), 'the pooler refused a prepared statement and the process switched').toBe(false);
    const lines = warn.mock.calls.filter((c) => String(c[1] ?? c[0]).includes('cannot keep prepared statements'));
    expect(lines).toHaveLength(1);
  }, 60_000);
});
