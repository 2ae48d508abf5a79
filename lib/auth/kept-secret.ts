// The embedded database's BETTER_AUTH_SECRET, kept beside its data (like the database passwords in
// lib/db/embedded-credentials.ts): generated once, in a 0600 file, so that a restart does not sign
// everyone out. A fresh data directory gets a new one. Plain Node: scripts/start.ts uses it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const AUTH_SECRET_FILE = 'idem-auth-secret';

export const authSecretFile = (dataDir: string) => path.join(dataDir, AUTH_SECRET_FILE);

/** The secret kept in `dataDir`, made on first use; `created` says whether this call made it. */
export function keptAuthSecret(dataDir: string): { secret: string; created: boolean; file: string } {
  const file = authSecretFile(dataDir);
  const stored = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (stored.length >= 32) return { secret: stored, created: false, file };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${secret}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // whatever the umask
  try {
    if (stored) rmSync(file); // unreadable or too short: replace it
    linkSync(temporary, file); // fails if another start made one meanwhile: then that one is kept
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { secret: readFileSync(file, 'utf8').trim(), created: false, file };
  } finally {
    rmSync(temporary, { force: true });
  }
  return { secret, created: true, file };
}
