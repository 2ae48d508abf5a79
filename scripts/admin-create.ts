// `npm run admin:create -- --email ops@example.com [--password …] [--name …]`: makes that user an
// admin (creating it when there is none, with its email marked verified; promoting an existing user
// only if their email is verified, always with a new password and their sessions ended; a password
// is generated unless given). Runs against
// DATABASE_URL, or the embedded database `npm start` runs (.data/postgres, or $IDEM_DATA_DIR/postgres).
// The password may also come from ADMIN_PASSWORD (kept out of the process list); a generated one is
// printed only to a terminal, never into a log.
// `npm start` runs this for the embedded database's one-time admin (scripts/start.ts).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createAuth } from '../lib/auth/auth';
import { ensureAdmin } from '../lib/auth/admin-user';
import { authConfig } from '../lib/auth/config';
import { PASSWORD_MAX, PASSWORD_MIN } from '../lib/auth/forms';
import path from 'node:path';
import { runningEmbeddedUrl } from '../lib/db/embedded-postgres';
import { createPrismaClient } from '../lib/db/prisma';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const email = values.email?.trim();
  if (!email) throw new Error('Usage: npm run admin:create -- --email you@example.com [--password …] [--name …]');
  // The same check better-auth's sign-in makes: an address it refuses could never sign in.
  if (!z.email().safeParse(email).success)
    throw new Error(
      `"${email}" is not an email address better-auth accepts (the domain needs a dot: admin@localhost.localdomain, not admin@localhost).`,
    );
  const databaseUrl =
    process.env.DATABASE_URL || runningEmbeddedUrl(path.join(process.env.IDEM_DATA_DIR ?? '.data', 'postgres'));
  if (!databaseUrl)
    throw new Error('DATABASE_URL is not set, and no embedded database runs (start it with `npm start`).');
  let password = values.password ?? process.env.ADMIN_PASSWORD;
  if (password !== undefined && (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)) {
    throw new Error(`The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`);
  }

  const prisma = createPrismaClient(databaseUrl, 2);
  try {
    // Only the password hashing and the database are used: no secret needed outside production.
    const auth = createAuth(
      prisma,
      authConfig({
        ...process.env,
        NODE_ENV: 'development',
        BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET || undefined,
      }),
    );
    // An existing user is promoted only with a new password (lib/auth/admin-user.ts): generate one too.
    const generated = password === undefined;
    if (generated && !process.stdout.isTTY)
      throw new Error(
        'The output is not a terminal: a generated password would land in a log. Give one with ADMIN_PASSWORD (or --password).',
      );
    if (generated) password = randomBytes(15).toString('base64url');
    const result = await ensureAdmin(auth, { email, password, name: values.name });
    if (values.quiet) return;
    console.log(
      `${result.created ? 'Created admin' : 'Made admin'} ${email.toLowerCase()}${result.passwordSet && !result.created ? ' (new password; their sessions ended)' : ''}.`,
    );
    if (generated) console.log(`Password: ${password}`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(`[admin:create] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
