import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Admin password hashes: scrypt (node:crypto), self-describing, `$`-free so that Next's .env
// loader (which expands `$NAME`) leaves them alone:
//   scrypt:<N>:<r>:<p>:<salt, base64url>:<hash, base64url>
// Not `server-only`: `npm run admin:hash-password` and the start script use it outside Next.

export const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

type Params = { N: number; r: number; p: number };
type Parsed = Params & { salt: Buffer; hash: Buffer };

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Parses a stored hash; null if it is not one we wrote (or its cost is absurd, which would be a DoS). */
export function parsePasswordHash(encoded: string): Parsed | null {
  const parts = encoded.trim().split(':');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((n) => (/^\d{1,8}$/.test(n!) ? Number(n) : NaN)) as [number, number, number];
  const [salt, hash] = parts.slice(4) as [string, string];
  if (!(N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0)) return null;
  if (!(r >= 1 && r <= 32 && p >= 1 && p <= 16)) return null;
  if (!B64URL.test(salt) || !B64URL.test(hash)) return null;
  const parsed = { N, r, p, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
  return parsed.salt.length >= 8 && parsed.hash.length >= 16 ? parsed : null;
}

const options = ({ N, r, p }: Params): ScryptOptions => ({ N, r, p, maxmem: 256 * N * r + 1024 * 1024 });

const encode = ({ N, r, p }: Params, salt: Buffer, hash: Buffer) => `scrypt:${N}:${r}:${p}:${salt.toString('base64url')}:${hash.toString('base64url')}`;

function derive(password: string, salt: Buffer, keyLength: number, params: Params): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, options(params), (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: Params = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  return encode(params, salt, await derive(password, salt, KEY_LENGTH, params));
}

/** Synchronous, for configuration files that cannot await (playwright.config.ts). */
export function hashPasswordSync(password: string, params: Params = DEFAULT_PARAMS): string {
  const salt = randomBytes(SALT_LENGTH);
  return encode(params, salt, scryptSync(password.normalize('NFKC'), salt, KEY_LENGTH, options(params)));
}

/** Constant-time: the whole derived key is compared with timingSafeEqual. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(candidate, parsed.hash);
}
