'use client';

import { passkeyClient } from '@better-auth/passkey/client';
import { createAuthClient } from 'better-auth/react';

// The browser side of better-auth, for what needs the browser itself: WebAuthn (passkeys). Its
// requests go to /api/auth on the page's own origin. Everything else is a server action.
export const authClient = createAuthClient({ plugins: [passkeyClient()] });
