import { auth } from '@/lib/auth/auth';

// better-auth's endpoints (sign-in, sign-up, sessions, API keys, passkeys) under /api/auth/*. This
// static segment takes precedence over the catch-all app/api/[...path] (unknown API paths → 404).
// The instance is made on the first request, never at import (`next build` has no secret).
const handler = (request: Request) => auth().handler(request);

export { handler as GET, handler as POST };
