// A client of the JSON API over HTTP (cluster tests, benchmarks): a fresh customer and their API key.
import { randomBytes } from 'node:crypto';

/**
 * Signs a fresh customer up on the instance at `url` and creates an API key of theirs: the value of
 * the `Authorization` header for the customer JSON API (every route there needs a caller).
 */
export async function apiKeyAuthorization(url: string, name = 'cluster client'): Promise<string> {
  // A client address of its own: sign-ups are rate limited per address.
  const headers = {
    'content-type': 'application/json',
    origin: url,
    'x-forwarded-for': `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
  };
  const email = `cluster-${randomBytes(6).toString('hex')}@example.test`;
  const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name, email, password: randomBytes(12).toString('hex') }),
  });
  if (signUp.status !== 200) throw new Error(`sign-up on ${url} failed: ${signUp.status} ${await signUp.text()}`);
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const created = await fetch(`${url}/api/auth/api-key/create`, { method: 'POST', headers: { ...headers, cookie }, body: JSON.stringify({ name }) });
  if (created.status !== 200) throw new Error(`creating an API key on ${url} failed: ${created.status} ${await created.text()}`);
  return `Bearer ${((await created.json()) as { key: string }).key}`;
}
