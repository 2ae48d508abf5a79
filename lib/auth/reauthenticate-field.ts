/** The form field the fresh-sign-in guard reads (lib/auth/reauthenticate.ts). Shared with client forms. */
export const CURRENT_PASSWORD_FIELD = 'currentPassword';
