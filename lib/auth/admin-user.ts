import 'server-only';
import type { Auth } from '@/lib/auth/auth';

// Creates an admin, or promotes an existing user to admin (`npm run admin:create`, and the one-time
// admin of `npm start` on the embedded database). Setting a password ends the user's sessions.

export type AdminResult = { userId: string; created: boolean; passwordSet: boolean };

export async function ensureAdmin(auth: Auth, input: { email: string; password?: string; name?: string }): Promise<AdminResult> {
  const email = input.email.trim().toLowerCase();
  const ctx = await auth.$context;
  const existing = await ctx.internalAdapter.findUserByEmail(email, { includeAccounts: true });
  if (!existing) {
    if (!input.password) throw new Error(`There is no user ${email}: give a password to create one.`);
    const { user } = await auth.api.createUser({ body: { email, password: input.password, name: input.name ?? 'Administrator', role: 'admin' } });
    // Whoever runs this command vouches for the address: the admin signs in without a verification mail.
    await ctx.internalAdapter.updateUser(user.id, { emailVerified: true });
    return { userId: user.id, created: true, passwordSet: true };
  }

  const { user, accounts } = existing;
  await ctx.internalAdapter.updateUser(user.id, { role: 'admin', banned: false, banReason: null, banExpires: null, emailVerified: true });
  if (!input.password) return { userId: user.id, created: false, passwordSet: false };
  const hash = await ctx.password.hash(input.password);
  if (accounts.some((a) => a.providerId === 'credential')) await ctx.internalAdapter.updatePassword(user.id, hash);
  else await ctx.internalAdapter.linkAccount({ userId: user.id, providerId: 'credential', accountId: user.id, password: hash });
  await ctx.internalAdapter.deleteUserSessions(user.id);
  return { userId: user.id, created: false, passwordSet: true };
}
