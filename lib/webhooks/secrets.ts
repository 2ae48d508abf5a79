import 'server-only';
// Signing secrets: made here, shown once, stored encrypted (AES-256-GCM) with a key from
// configuration (IDEM_WEBHOOK_SECRET_KEY, or derived from BETTER_AUTH_SECRET), so a copy of the
// database alone cannot sign as Idem.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { authConfig } from '@/lib/auth/config';
import { loadConfig } from '@/lib/config';

/** `whsec_` + 32 random bytes in base64: the Standard Webhooks secret format. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

function key(): Buffer {
  const material = loadConfig().IDEM_WEBHOOK_SECRET_KEY ?? authConfig().secret;
  return Buffer.from(hkdfSync('sha256', material, 'idem', 'webhook secrets at rest', 32));
}

/** `v1.<iv>.<ciphertext+tag>` in base64url. */
export function sealSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

export function openSecret(stored: string): string {
  const [version, iv, sealed] = stored.split('.');
  if (version !== 'v1' || !iv || !sealed) throw new Error('not a sealed webhook secret');
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
}
