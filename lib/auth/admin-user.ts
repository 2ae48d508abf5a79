import 'server-only';
import type { Auth } from '@/lib/auth/auth';

// Creates an admin, or promotes an existing user to admin (`npm run admin:create`, and the one-time
// admin of `npm start` on the embedded database). An admin can see every customer, so:
//   - a user this creates gets its email marked verified (the operator named the address);
//   - an existing user is promoted only if they verified their email address themselves (or were
//     made by this script), and always with a NEW password and every session of theirs ended: a
//     customer's old password or a browser signed in as them must not become an admin's.

export type AdminResult = { userId: string; created: boolean; passwordSet: boolean };

class AdminRefused extends Error {}

export async function ensureAdmin(
  auth: Auth,
  input: { email: string; password?: string; name?: string },
): Promise<AdminResult> {
  const email = input.email.trim().toLowerCase();
  const ctx = await auth.$context;
  const existing = await ctx.internalAdapter.findUserByEmail(email, { includeAccounts: true });
  if (!existing) {
    if (!input.password) throw new AdminRefused(`There is no user ${email}: give a password to create one.`);
    const { user } = await auth.api.createUser({
      body: { email, password: input.password, name: input.name ?? 'Administrator', role: 'admin' },
    });
    // Whoever runs this command vouches for the address: the admin signs in without a verification mail.
    await ctx.internalAdapter.updateUser(user.id, { emailVerified: true });
    return { userId: user.id, created: true, passwordSet: true };
  }

  const { user, accounts } = existing;
  // Already an admin (made by this script before verification existed: `npm start` re-seeds its admin
  // on every start): a new password only.
  const isAdmin = (user as { role?: string | null }).role?.split(',').includes('admin') ?? false;
  if (!user.emailVerified && !isAdmin)
    throw new AdminRefused(
      `${email} has not verified their email address, so it is not known to be theirs: nothing was changed. Have them verify it first, or make the admin under another address.`,
    );
  if (!input.password)
    throw new AdminRefused(
      `${email} already exists: promoting them needs a new password (--password or ADMIN_PASSWORD); nothing was changed.`,
    );
  // `npm start` seeds its admin on every start with the same password: an admin whose password is
  // already that one keeps it and their sessions (a restart signs no one out).
  const current = accounts.find((a) => a.providerId === 'credential')?.password;
  if (isAdmin && current && (await ctx.password.verify({ hash: current, password: input.password })))
    return { userId: user.id, created: false, passwordSet: false };
  const hash = await ctx.password.hash(input.password);
  if (accounts.some((a) => a.providerId === 'credential')) await ctx.internalAdapter.updatePassword(user.id, hash);
  else
    await ctx.internalAdapter.linkAccount({
      userId: user.id,
      providerId: 'credential',
      accountId: user.id,
      password: hash,
    });
  await ctx.internalAdapter.deleteUserSessions(user.id);
  await ctx.internalAdapter.updateUser(user.id, { role: 'admin', banned: false, banReason: null, banExpires: null });
  return { userId: user.id, created: false, passwordSet: true };
}
