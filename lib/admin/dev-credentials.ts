import { randomBytes } from 'node:crypto';
import { hashPassword } from './password';

// Used by scripts/start.ts (not by Next; no `server-only`). A local `npm start` on the embedded
// database with no admin configuration gets a one-time password, printed at start. With
// DATABASE_URL (a real deployment) nothing is invented: the admin area then says sign-in is not
// configured until ADMIN_EMAIL, ADMIN_PASSWORD_HASH and ADMIN_SESSION_SECRET are set.

export const DEV_ADMIN_EMAIL = 'admin@localhost';

export type AdminStartEnv = { env: Record<string, string>; notice: string[] };

export async function adminEnvForStart(env: Record<string, string | undefined>, options: { embeddedDatabase: boolean }): Promise<AdminStartEnv> {
  const added: Record<string, string> = {};
  const notice: string[] = [];
  if (!env.ADMIN_PASSWORD_HASH && options.embeddedDatabase) {
    const password = randomBytes(15).toString('base64url');
    added.ADMIN_EMAIL = env.ADMIN_EMAIL || DEV_ADMIN_EMAIL;
    added.ADMIN_PASSWORD_HASH = await hashPassword(password);
    notice.push(
      'admin sign-in (one-time password for this run; set ADMIN_PASSWORD_HASH to choose your own):',
      `    email:    ${added.ADMIN_EMAIL}`,
      `    password: ${password}`,
    );
  }
  // One secret for every instance this process starts; sessions end when it restarts.
  if (!env.ADMIN_SESSION_SECRET && (added.ADMIN_PASSWORD_HASH || env.ADMIN_PASSWORD_HASH)) {
    added.ADMIN_SESSION_SECRET = randomBytes(32).toString('base64url');
    notice.push('ADMIN_SESSION_SECRET not set: generated one for this run (admin sessions end at restart).');
  }
  return { env: added, notice };
}
