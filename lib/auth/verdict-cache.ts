import 'server-only';
import pg from 'pg';
import { log } from '@/lib/observability/log';
import { metrics } from '@/lib/observability/metrics';
import { onShutdown } from '@/lib/process/lifecycle';
import { singleton } from '@/lib/singleton';

// Verified API keys and sessions, remembered by this process for a short lease so that a request
// does not pay for reading (and better-auth for writing) them again. A revocation must still reach
// every instance within a second: triggers on api_keys, sessions and users (migration
// 20261207040000_storage_per_command) send NOTIFY idem_auth when anything that decides a verdict
// changes, and every instance LISTENs on a connection of its own and forgets everything it
// remembered when one arrives. Without that connection (not yet open, lost, reconnecting) nothing
// is remembered: every request reads PostgreSQL as before. Only positive verdicts are kept.

export const AUTH_CHANNEL = 'idem_auth';
const MAX_ENTRIES = 10_000;
const RECONNECT_MS = 1_000;

type Entry = { value: unknown; until: number };

export type VerdictCache = {
  /** The remembered value, or `load()`'s: kept until `until` (epoch ms) when it returns one and nothing changed meanwhile. */
  remember<T>(key: string, load: () => Promise<{ value: T; until: number | null }>): Promise<T>;
  /** Invalidations received (for tests and the bench: "delivered"). */
  readonly invalidations: number;
  /** Whether verdicts are being remembered now (the LISTEN connection is up). */
  readonly listening: boolean;
  close(): Promise<void>;
};

/** A cache over one database: `leaseSeconds` bounds every entry even if a notification were missed. */
export function createVerdictCache(
  databaseUrl: string,
  leaseSeconds: number,
  onInvalidation: () => void = () => {},
): VerdictCache {
  const entries = new Map<string, Entry>();
  const loading = new Map<string, { generation: number; promise: Promise<{ value: unknown; until: number | null }> }>();
  // Bumped by every invalidation: a verdict read before one is not stored after it.
  let generation = 0;
  let invalidations = 0;
  let listening = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  const forget = () => {
    generation++;
    entries.clear();
  };

  const connect = async () => {
    if (closed || client || retry) return;
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    client = c;
    const lost = (error?: Error) => {
      if (client !== c) return;
      client = null;
      listening = false;
      forget();
      if (error) log().warn({ err: { message: error.message } }, 'auth invalidation connection lost');
      void c.end().catch(() => {});
      if (!closed)
        retry = setTimeout(() => {
          retry = null;
          void connect();
        }, RECONNECT_MS);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (message) => {
      if (message.channel !== AUTH_CHANNEL) return;
      invalidations++;
      forget();
      onInvalidation();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${AUTH_CHANNEL}`);
      if (client !== c) return;
      forget(); // whatever changed while nobody listened
      listening = true;
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return {
    async remember<T>(key: string, load: () => Promise<{ value: T; until: number | null }>): Promise<T> {
      if (leaseSeconds <= 0) return (await load()).value;
      if (!listening) void connect();
      const now = Date.now();
      const hit = listening ? entries.get(key) : undefined;
      if (hit && hit.until > now) return hit.value as T;
      // Requests that miss together share one load (when a lease ends under load, one verification
      // instead of one per request in flight), unless an invalidation came after it started.
      const shared = listening ? loading.get(key) : undefined;
      if (shared && shared.generation === generation) return (await shared.promise).value as T;
      const before = generation;
      const promise = load();
      loading.set(key, { generation: before, promise });
      try {
        const loaded = await promise;
        if (loaded.until !== null && listening && generation === before) {
          if (entries.size >= MAX_ENTRIES) entries.clear();
          entries.set(key, { value: loaded.value, until: Math.min(loaded.until, now + leaseSeconds * 1000) });
        }
        return loaded.value;
      } finally {
        if (loading.get(key)?.promise === promise) loading.delete(key);
      }
    },
    get invalidations() {
      return invalidations;
    },
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      forget();
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

const caches = () => singleton('auth.verdictCaches', () => new Map<string, VerdictCache>());

/** The process's cache for this database (made on first use; closed at shutdown). */
export function verdictCache(databaseUrl: string, leaseSeconds: number): VerdictCache {
  const id = `${leaseSeconds}:${databaseUrl}`;
  let cache = caches().get(id);
  if (!cache) {
    const made = createVerdictCache(databaseUrl, leaseSeconds, () => metrics().authInvalidations.inc());
    caches().set(id, made);
    onShutdown('auth verdict cache', 2, () => made.close());
    cache = made;
  }
  return cache;
}
