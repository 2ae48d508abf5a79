// Until a migration adds it, tests create the sign-in rate limiter's table themselves.
import type { Db } from '@/lib/db/prisma';

export const LOGIN_ATTEMPTS_DDL = [
  'CREATE TABLE IF NOT EXISTS admin_login_attempts (id bigserial PRIMARY KEY, key text NOT NULL, attempted_at timestamptz(3) NOT NULL DEFAULT now())',
  'CREATE INDEX IF NOT EXISTS admin_login_attempts_key_attempted_at_idx ON admin_login_attempts (key, attempted_at)',
  'CREATE INDEX IF NOT EXISTS admin_login_attempts_attempted_at_idx ON admin_login_attempts (attempted_at)',
];

export async function createLoginAttemptsTable(db: Db): Promise<void> {
  for (const statement of LOGIN_ATTEMPTS_DDL) await db.$executeRawUnsafe(statement);
}
