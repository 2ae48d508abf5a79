// The client side of the cluster tests talks to the customer API through these helpers only, so
// authentication (an API key as `Authorization: Bearer …`) is added in one place. In the Vitest
// cluster project every answer is also checked against the OpenAPI document
// (test/openapi-cluster.setup.ts installs the check; scripts and benchmarks that import this file
// stay free of the app's server-only modules).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

type AnswerCheck = (method: string, url: string, response: { status: number; headers: Headers }, body: string) => void;
let answerCheck: AnswerCheck | null = null;

/** Installs a check every answer received through these helpers (and StormClient) goes through. */
export function checkAnswersWith(check: AnswerCheck | null): void {
  answerCheck = check;
}

/** Hands one received answer to the installed check, if any. */
export function reportAnswer(
  method: string,
  url: string,
  response: { status: number; headers: Headers },
  body: string,
): void {
  answerCheck?.(method, url, response, body);
}

/** The `Authorization` header every request of apiHeaders() carries (set with useApiKey). */
let authorization: string | null = null;

/** Makes every later request of this process act as the key's customer (null: anonymous). */
export function useApiKey(value: string | null): void {
  authorization = value;
}

/** Headers for a customer API request; with a key, a command (POST with Idempotency-Key). */
export function apiHeaders(idempotencyKey?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(authorization === null ? {} : { authorization }),
    ...(idempotencyKey === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': idempotencyKey }),
    ...extra,
  };
}

export type ApiAnswer = { status: number; body: string; headers: Headers } | { status: 0; error: string };

/** One POST of a command; network errors come back as status 0 (never thrown). */
export async function postCommand(
  url: string,
  key: string,
  body: unknown,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: apiHeaders(key, options.headers),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    reportAnswer('POST', url, response, text);
    return { status: response.status, body: text, headers: response.headers };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      error: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)),
    };
  }
}

/** A GET of the customer API. */
export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: apiHeaders() });
  const text = await response.text();
  reportAnswer('GET', url, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/**
 * How a test confirms a new customer's email on a server: sign-in needs a verified address. A test
 * harness registers one per server origin: startCluster marks the row verified in its database; a
 * test that runs `npm start` or `npm run cluster` follows the link from their mail catcher.
 */
type EmailVerifier = (user: { id: string; email: string }) => Promise<void>;
const verifiers = new Map<string, EmailVerifier>();

export function verifyEmailsWith(url: string, verify: EmailVerifier): void {
  verifiers.set(new URL(url).origin, verify);
}

/** Marks the address verified in the server's database (what following the mailed link does). */
export const verifyInDatabase =
  (databaseUrl: string): EmailVerifier =>
  async (user) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query('UPDATE users SET email_verified = true WHERE id = $1', [user.id]);
    } finally {
      await client.end();
    }
  };

/** Follows the link of the verification mail the local catcher (maildev, `GET /api/email`) received. */
export const verifyThroughInbox =
  (inboxUrl: string): EmailVerifier =>
  async (user) => {
    for (;;) {
      const messages = (await (await fetch(new URL('/api/email', inboxUrl))).json()) as {
        to: { address: string }[];
        subject: string;
        text: string;
      }[];
      const mail = messages.find(
        (m) => m.subject.startsWith('Confirm your email') && m.to.some((t) => t.address === user.email),
      );
      const link = mail?.text.match(/https?:\/\/\S+\/verify-email\?\S+/)?.[0];
      if (link) {
        const followed = await fetch(link, { redirect: 'manual' });
        if (followed.status !== 302) throw new Error(`following the verification link failed: ${followed.status}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

/**
 * Signs a fresh customer up on `url`, has their email verified (verifyEmailsWith) and signs them in:
 * their user id and session cookie.
 */
export async function signUpVerified(
  url: string,
  headers: Record<string, string>,
  customer: { name: string; email: string; password: string },
): Promise<{ id: string; cookie: string }> {
  const verify = verifiers.get(new URL(url).origin);
  if (!verify)
    throw new Error(
      `no way to verify emails on ${url}: call verifyEmailsWith (test/cluster-harness.ts does for its instances)`,
    );
  const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify(customer),
  });
  if (signUp.status !== 200) throw new Error(`sign-up on ${url} failed: ${signUp.status} ${await signUp.text()}`);
  const { user } = (await signUp.json()) as { user: { id: string } };
  await verify({ id: user.id, email: customer.email });
  const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email: customer.email, password: customer.password }),
  });
  if (signIn.status !== 200) throw new Error(`sign-in on ${url} failed: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { id: user.id, cookie };
}

/** A customer of the cluster tests: their user id (the prefix of their command ids) and API keys. */
/** `cookie`: the session the sign-up started (for the pages and their server actions). */
export type ApiCustomer = { id: string; name: string; authorizations: string[]; cookie?: string };

/**
 * Signs a fresh customer up on the instance at `url` and creates `keys` API keys of theirs: each an
 * `Authorization` header value for the customer JSON API (every route there needs a caller).
 */
export async function signUpApiCustomer(url: string, name = 'cluster client', keys = 1): Promise<ApiCustomer> {
  // A client address of its own: sign-ups are rate limited per address.
  const headers = {
    'content-type': 'application/json',
    origin: url,
    'x-forwarded-for': `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
  };
  const email = `cluster-${randomBytes(6).toString('hex')}@example.test`;
  const { id, cookie } = await signUpVerified(url, headers, { name, email, password: randomBytes(12).toString('hex') });
  const authorizations: string[] = [];
  for (let i = 0; i < keys; i++) {
    const created = await fetch(`${url}/api/auth/api-key/create`, {
      method: 'POST',
      headers: { ...headers, cookie },
      body: JSON.stringify({ name: `${name} ${i + 1}` }),
    });
    if (created.status !== 200)
      throw new Error(`creating an API key on ${url} failed: ${created.status} ${await created.text()}`);
    authorizations.push(`Bearer ${((await created.json()) as { key: string }).key}`);
  }
  return { id, name, authorizations, cookie };
}

/** A fresh customer's one API key, as the `Authorization` header value. */
export async function apiKeyAuthorization(url: string, name = 'cluster client'): Promise<string> {
  return (await signUpApiCustomer(url, name)).authorizations[0]!;
}
