import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { keptAuthSecret } from './kept-secret';

// Used by scripts/start.ts and scripts/cluster.ts (plain Node, not Next; no `server-only`): the
// identity environment for the `next` processes they start, and the embedded database's admin.

/**
 * The embedded database's admin. Not the bare `admin@localhost`: better-auth's email check (zod's
 * z.email(), hard-wired in its sign-in) refuses a domain without a dot, so that address could never
 * sign in. `localhost.localdomain` is the conventional name of the loopback host.
 */
const DEV_ADMIN_EMAIL = 'admin@localhost.localdomain';

export type IdentityStartEnv = {
  env: Record<string, string>;
  notice: string[];
  admin: { email: string; password: string } | null;
};

/**
 * - BETTER_AUTH_SECRET: kept if set; on the embedded database, the one kept in `secretDir` (its data
 *   directory: made once, so a restart keeps everyone signed in), or one for this run without a
 *   `secretDir`; required otherwise (a deployment's instances must share one).
 * - BETTER_AUTH_URL: kept if set; else http://localhost:<port> for a local bind (passkeys need a
 *   domain name, and `localhost` is one), with http://127.0.0.1:<port> trusted too.
 * - On the embedded database: an admin (ADMIN_EMAIL, default DEV_ADMIN_EMAIL) with ADMIN_PASSWORD,
 *   or a one-time password printed at start, only when `interactive` (stdout is a terminal: output
 *   that goes to a file or a log collector must not hold a password). On any database when
 *   ADMIN_PASSWORD is set (tests).
 */
export function identityEnvForStart(
  env: Record<string, string | undefined>,
  options: { embeddedDatabase: boolean; port: number; hostname: string; interactive: boolean; secretDir?: string },
): IdentityStartEnv {
  const added: Record<string, string> = {};
  const notice: string[] = [];
  if (!env.BETTER_AUTH_SECRET) {
    if (!options.embeddedDatabase)
      throw new Error(
        'BETTER_AUTH_SECRET is not set: with DATABASE_URL, choose one (≥ 32 characters, e.g. `openssl rand -base64 48`), the same on every instance.',
      );
    if (options.secretDir) {
      const kept = keptAuthSecret(options.secretDir);
      added.BETTER_AUTH_SECRET = kept.secret;
      if (kept.created)
        notice.push(`BETTER_AUTH_SECRET not set: generated one, kept in ${kept.file} for the next starts.`);
    } else {
      added.BETTER_AUTH_SECRET = randomBytes(32).toString('base64url');
      notice.push('BETTER_AUTH_SECRET not set: generated one for this run (sessions end at restart).');
    }
  }
  if (!env.BETTER_AUTH_URL) {
    const local = ['127.0.0.1', 'localhost', '0.0.0.0', '::1'].includes(options.hostname);
    added.BETTER_AUTH_URL = servingUrl(env, options);
    if (local)
      added.IDEM_TRUSTED_ORIGINS = [env.IDEM_TRUSTED_ORIGINS, `http://127.0.0.1:${options.port}`]
        .filter(Boolean)
        .join(',');
  }
  const admin = options.embeddedDatabase || env.ADMIN_PASSWORD ? embeddedAdmin(env, options.interactive) : null;
  if (admin) notice.push(...admin.notice);
  else if (options.embeddedDatabase) notice.push(...NO_ONE_TIME_ADMIN);
  return { env: added, notice, admin: admin && { email: admin.email, password: admin.password } };
}

export const NO_ONE_TIME_ADMIN = [
  'no admin created: the output is not a terminal, and a one-time password is shown only on one (never in a log).',
  '    Set ADMIN_PASSWORD (and ADMIN_EMAIL) for the next start, or run `npm run admin:create -- --email you@example.com` in a terminal.',
];

/**
 * The embedded database's admin: ADMIN_EMAIL (default DEV_ADMIN_EMAIL) with ADMIN_PASSWORD, or a
 * one-time password when `interactive` (it is printed); null otherwise.
 */
export function embeddedAdmin(
  env: Record<string, string | undefined>,
  interactive: boolean,
): { email: string; password: string; notice: string[] } | null {
  if (!env.ADMIN_PASSWORD && !interactive) return null;
  const email = env.ADMIN_EMAIL || DEV_ADMIN_EMAIL;
  const password = env.ADMIN_PASSWORD || randomBytes(15).toString('base64url');
  const notice = env.ADMIN_PASSWORD
    ? []
    : [
        'admin sign-in (one-time password for this run; sign in at /sign-in, then open /admin):',
        `    email:    ${email === DEV_ADMIN_EMAIL ? 'admin@localhost' : email}`,
        `    password: ${password}`,
      ];
  return { email, password, notice };
}

/** Creates or updates the admin through `npm run admin:create` (a child process: Next's server-only modules). */
export function seedAdmin(admin: { email: string; password: string }, env: Record<string, string | undefined>): void {
  const tsx = path.resolve('node_modules/.bin/tsx');
  const result = spawnSync(
    tsx,
    ['--conditions=react-server', 'scripts/admin-create.ts', '--email', admin.email, '--quiet'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      // eslint-disable-next-line no-restricted-syntax -- not a configuration read: the child inherits this process's whole environment (PATH, HOME, …).
      env: { ...process.env, ...env, ADMIN_PASSWORD: admin.password },
    },
  );
  if (result.status !== 0) throw new Error(`creating the admin ${admin.email} failed`);
}

/**
 * The address `npm start` tells people to open: BETTER_AUTH_URL (http://localhost:<port> for a local
 * bind), never the bind address 127.0.0.1, where passkeys cannot work (WebAuthn needs a domain).
 */
export function servingUrl(
  env: Record<string, string | undefined>,
  options: { port: number; hostname: string },
): string {
  if (env.BETTER_AUTH_URL) return env.BETTER_AUTH_URL.replace(/\/$/, '');
  const local = ['127.0.0.1', 'localhost', '0.0.0.0', '::1'].includes(options.hostname);
  return local ? `http://localhost:${options.port}` : `http://${options.hostname}:${options.port}`;
}
