import 'server-only';
import { parsePasswordHash } from '@/lib/admin/password';

// Admin credentials come from the environment only; there is no default password anywhere.
// `npm start` on the embedded database without configuration generates a one-time password and
// passes these variables to Next (lib/admin/dev-credentials.ts); everywhere else they must be set.

export type AdminConfig =
  | { configured: true; email: string; passwordHash: string; sessionSecret: string; apiToken: string | null }
  | { configured: false; problems: string[] };

export const MIN_SECRET_LENGTH = 32;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function adminConfig(env: Record<string, string | undefined> = process.env): AdminConfig {
  const email = env.ADMIN_EMAIL?.trim() ?? '';
  const passwordHash = env.ADMIN_PASSWORD_HASH?.trim() ?? '';
  const sessionSecret = env.ADMIN_SESSION_SECRET ?? '';
  const apiToken = env.ADMIN_API_TOKEN ?? '';
  const problems: string[] = [];
  if (!email) problems.push('ADMIN_EMAIL is not set.');
  else if (!EMAIL.test(email)) problems.push('ADMIN_EMAIL is not an email address.');
  if (!passwordHash) problems.push('ADMIN_PASSWORD_HASH is not set (create one with `npm run admin:hash-password`).');
  else if (!parsePasswordHash(passwordHash)) problems.push('ADMIN_PASSWORD_HASH is not a hash made by `npm run admin:hash-password`.');
  if (!sessionSecret) problems.push('ADMIN_SESSION_SECRET is not set.');
  else if (sessionSecret.length < MIN_SECRET_LENGTH) problems.push(`ADMIN_SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters.`);
  if (apiToken && apiToken.length < MIN_SECRET_LENGTH) problems.push(`ADMIN_API_TOKEN must be at least ${MIN_SECRET_LENGTH} characters (or unset).`);
  if (problems.length > 0) return { configured: false, problems };
  return { configured: true, email, passwordHash, sessionSecret, apiToken: apiToken || null };
}
