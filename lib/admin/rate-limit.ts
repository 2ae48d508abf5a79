import 'server-only';
import type { Db } from '@/lib/db/prisma';

// Sign-in attempts, limited per key in a sliding window, with the state in PostgreSQL so that every
// app instance sees the same counts. Every attempt reserves a row before the password is checked
// (so a burst of parallel guesses is counted, not raced past the limit); a successful sign-in
// clears its keys. Keys are `ip:<client address>` and `email:<submitted email>`.
//
// Table: admin_login_attempts (prisma/migrations/20261126030000_admin_login_attempts).

export type LimitRule = { prefix: 'ip' | 'email'; max: number };
export const WINDOW_SECONDS = 15 * 60;
/** 5 attempts per client address, and 20 per email from anywhere (a spoofed address gains nothing). */
export const RULES: readonly LimitRule[] = [
  { prefix: 'ip', max: 5 },
  { prefix: 'email', max: 20 },
];

export type Reservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Transaction-scoped advisory lock class for these keys (command-handler.ts uses 0x1de4). */
const LOCK_CLASS = 0x1de5;

export const loginKeys = (clientIp: string, email: string) => ({ ip: `ip:${clientIp}`, email: `email:${email.trim().toLowerCase().slice(0, 320)}` });

export async function reserveLoginAttempt(
  db: Db,
  keys: { ip: string; email: string },
  options: { rules?: readonly LimitRule[]; windowSeconds?: number; now?: Date } = {},
): Promise<Reservation> {
  const rules = options.rules ?? RULES;
  const window = options.windowSeconds ?? WINDOW_SECONDS;
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - window * 1000);
  const limited = rules.map((rule) => ({ key: keys[rule.prefix], max: rule.max })).sort((a, b) => a.key.localeCompare(b.key));

  return db.$transaction(async (tx) => {
    // Serializes attempts on the same key across instances: count-then-insert is then exact.
    for (const { key } of limited) await tx.$queryRaw`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, hashtext(${key}))::text AS locked`;
    // Expired rows: this attempt's keys, plus a bounded batch of anyone's (keys never seen again).
    await tx.$executeRaw`DELETE FROM admin_login_attempts WHERE key = ANY(${limited.map((l) => l.key)}::text[]) AND attempted_at <= ${since}`;
    await tx.$executeRaw`DELETE FROM admin_login_attempts WHERE ctid = ANY(ARRAY(SELECT ctid FROM admin_login_attempts WHERE attempted_at <= ${since} LIMIT 100))`;
    let retryAfterSeconds = 0;
    for (const { key, max } of limited) {
      const rows = await tx.$queryRaw<{ n: number; oldest: Date | null }[]>`
        SELECT count(*)::int AS n, min(attempted_at) AS oldest FROM admin_login_attempts WHERE key = ${key} AND attempted_at > ${since}`;
      const { n, oldest } = rows[0] ?? { n: 0, oldest: null };
      if (n >= max && oldest) retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((oldest.getTime() + window * 1000 - now.getTime()) / 1000));
    }
    if (retryAfterSeconds > 0) return { allowed: false, retryAfterSeconds };
    for (const { key } of limited) await tx.$executeRaw`INSERT INTO admin_login_attempts (key, attempted_at) VALUES (${key}, ${now})`;
    return { allowed: true };
  });
}

export async function clearLoginAttempts(db: Db, keys: { ip: string; email: string }): Promise<void> {
  await db.$executeRaw`DELETE FROM admin_login_attempts WHERE key = ANY(${[keys.ip, keys.email]}::text[])`;
}
