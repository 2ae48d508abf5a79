// The embedded server's credentials, per data directory: the superuser's (owner's) and the application
// role's passwords, random, in a 0600 file inside the data directory (PostgreSQL ignores files it does
// not know there; a fresh data directory gets new ones). Small on purpose: playwright.config.ts reads it.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Login = { user: string; password: string };
export type Credentials = { owner: Login; app: Login };

export const CREDENTIALS_FILE = 'idem-credentials.json';

export const credentialsFile = (dataDir: string) => path.join(dataDir, CREDENTIALS_FILE);

export function readCredentials(dataDir: string): Credentials | null {
  const file = credentialsFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Credentials) : null;
}

export function writeCredentials(dataDir: string, credentials: Credentials): void {
  const file = credentialsFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // whatever the umask
  renameSync(temporary, file);
}

export const credentialsUrl = (login: Login, port: number, database: string) =>
  `postgresql://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
