import 'server-only';
import { loadConfig } from '@/lib/config';
import { currentRequest } from '@/lib/observability/request-context';
import { log } from '@/lib/observability/log';
import { singleton } from '@/lib/singleton';
import { createPrismaClient, db, type Db } from './prisma';

// Reads that a hot standby may serve (history, statements, the admin console) go to
// DATABASE_REPLICA_URL only when it has replayed the caller's last commit: read-your-writes. The
// commit's position (LSN) travels with the caller: a command that wrote answers with the
// `Idem-Commit-Lsn` header and the `idem_lsn` cookie, and a later request brings either back
// (lib/observability/http.ts puts it in the request context). Without a replica, or when it lags
// behind the caller, or cannot be reached, the primary answers. `Idem-Read-From` says which did.

const COMMIT_LSN_HEADER = 'idem-commit-lsn';
const COMMIT_LSN_COOKIE = 'idem_lsn';

const replicas = () => singleton('db.replicas', () => new Map<string, Db>());

function replicaClient(url: string): Db {
  let client = replicas().get(url);
  if (!client) {
    client = createPrismaClient(url);
    replicas().set(url, client);
  }
  return client;
}

/** Where this request's replica-safe reads go: the replica once it has replayed the caller's last commit, else the primary. */
export async function readDb(): Promise<Db> {
  const url = loadConfig().DATABASE_REPLICA_URL;
  const context = currentRequest();
  if (!url) return db();
  if (context?.reader) return context.reader as Db; // chosen once per request
  const lsn = context?.readAfterLsn ?? null;
  try {
    const replica = replicaClient(url);
    const [row] = await replica.$queryRaw<{ ok: boolean }[]>`
      SELECT pg_is_in_recovery() AND (${lsn}::text IS NULL OR pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn) AS ok`;
    if (row?.ok) {
      context?.response?.setHeader('idem-read-from', 'replica');
      if (context) context.reader = replica;
      return replica;
    }
  } catch (error) {
    log().warn({ err: { message: (error as Error).message } }, 'replica unreachable: reading from the primary');
  }
  context?.response?.setHeader('idem-read-from', 'primary');
  if (context) context.reader = db();
  return db();
}

/**
 * After a command that wrote: its commit's position for the caller's next reads (only when a replica
 * is configured; one round trip). Best effort: the command's answer never depends on it.
 */
export async function rememberCommit(): Promise<void> {
  const context = currentRequest();
  if (!loadConfig().DATABASE_REPLICA_URL || !context?.response) return;
  try {
    const [row] = await db().$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`;
    if (!row || context.response.headersSent) return;
    context.readAfterLsn = row.lsn;
    context.reader = undefined; // later reads of this request must see this commit
    context.response.setHeader(COMMIT_LSN_HEADER, row.lsn);
    const cookie = `${COMMIT_LSN_COOKIE}=${row.lsn}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`;
    const existing = context.response.getHeader('set-cookie');
    const cookies = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    context.response.setHeader('set-cookie', [...cookies, cookie]);
  } catch (error) {
    log().warn({ err: { message: (error as Error).message } }, 'could not read the commit position');
  }
}
