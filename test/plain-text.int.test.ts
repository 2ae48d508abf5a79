import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { post, signUp, uniqueEmail, appDatabase } from '@/test/auth';
import { snapshotTables } from '@/test/db';
import { API_KEY_BOOKKEEPING } from '@/test/table-dump';

// Free text through the API: with control, format (bidi overrides, zero-width)
// or unpaired-surrogate characters is a 422 problem naming the field and writes nothing (before, a
// NUL reached PostgreSQL: a 500); names are NFC-normalised before the command's fingerprint, so the
// same name in NFD and NFC is the same command; lengths count characters. The same rule guards
// better-auth's own endpoints: the customer's name at sign-up and an API key's name.

let authorization: string;
let cookie: string;
appDatabase();
beforeAll(async () => {
  const customer = await signUp(auth());
  cookie = customer.cookie;
  authorization = `Bearer ${(await auth().api.createApiKey({ body: { name: 'plain-text' }, headers: new Headers({ cookie }) })).key}`;
  // The key's first request creates its API budget rows (api_rate_limits); every later one only moves
  // their counts (API_KEY_BOOKKEEPING), so a refused request after it must leave every row in place.
  const first = await accounts.GET(
    new Request('http://127.0.0.1:3000/api/accounts', { headers: { host: '127.0.0.1:3000', authorization } }),
  );
  expect(first.status).toBe(200);
});

/** The ledger's tables and the identity rows a name could reach (an API key's request counters aside: every use moves them). */
async function everything() {
  const identity = await db().$queryRawUnsafe<{ dump: string | null }[]>(
    `SELECT (SELECT string_agg(u::text, E'\\n' ORDER BY u.id) FROM users u) || (SELECT coalesce(string_agg(k.id || ' ' || coalesce(k.name, ''), E'\\n' ORDER BY k.id), '') FROM api_keys k) AS dump`,
  );
  // better-auth's per-address limits of its endpoints count every request, a refused one too.
  const tables: Record<string, string> = await snapshotTables(db(), API_KEY_BOOKKEEPING);
  delete tables.rate_limits;
  return { ...tables, identity: identity[0]?.dump ?? '' };
}

const open = (name: unknown, key = randomUUID()) =>
  accounts.POST(
    new Request('http://127.0.0.1:3000/api/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: '127.0.0.1:3000', authorization, 'idempotency-key': key },
      body: JSON.stringify({ name, openingDeposit: '1.00' }),
    }),
  );

const refused: [string, string, RegExp][] = [
  ['NUL', 'Ada\u0000Lovelace', /^must not contain control characters \(U\+0000 at character 4\)$/],
  ['a C0 control (ESC)', 'Ada\u001b[31m', /control characters \(U\+001B/],
  ['a C1 control (CSI)', 'Ada\u009b', /control characters \(U\+009B/],
  ['a right-to-left override', 'Invoice\u202Efdp.exe', /invisible formatting characters \(U\+202E/],
  ['a zero-width space', 'Ada\u200B', /invisible formatting characters \(U\+200B/],
  ['a byte-order mark inside', 'Ada\uFEFFLovelace', /invisible formatting characters \(U\+FEFF/],
  ['a lone surrogate', 'Ada\uDBFF', /unpaired surrogate/],
];

describe('POST /api/accounts: the account name', () => {
  it.each(refused)('%s → 422 naming /name, nothing written', async (_label, name, detail) => {
    const before = await everything();
    const response = await open(name);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as { type: string; errors: { pointer: string; detail: string }[] };
    expect(body.type).toBe('/problems/validation-failed');
    expect(body.errors).toEqual([{ pointer: '/name', detail: expect.stringMatching(detail) }]);
    expect(await everything()).toEqual(before);
  });

  it('the same name in NFD and in NFC, with the same key, is the same command (a replay, not key-reused)', async () => {
    const key = randomUUID();
    const nfc = 'Zoë Åström';
    const first = await open(nfc.normalize('NFD'), key);
    expect(first.status).toBe(201);
    expect(((await first.json()) as { name: string }).name).toBe(nfc);
    const again = await open(nfc, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('80 characters are accepted whatever their UTF-16 length (80 emoji); 81 are refused, nothing written', async () => {
    const ok = await open('😀'.repeat(80));
    expect(ok.status, await ok.clone().text()).toBe(201);
    expect(((await ok.json()) as { name: string }).name).toBe('😀'.repeat(80));
    const before = await everything();
    const over = await open('😀'.repeat(81));
    expect(over.status).toBe(422);
    expect(((await over.json()) as { detail: string }).detail).toMatch(/^name must be at most 80 characters/);
    expect(await everything()).toEqual(before);
  });
});

describe('better-auth endpoints: the same rule', () => {
  it.each(refused)('sign-up with %s in the name → 400, no user', async (_label, name) => {
    const before = await everything();
    const response = await post(auth(), '/sign-up/email', {
      name,
      email: uniqueEmail('text'),
      password: 'correct horse battery',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('INVALID_NAME');
    expect(await everything()).toEqual(before);
  });

  it('sign-up stores the name in NFC', async () => {
    const email = uniqueEmail('nfc');
    const response = await post(auth(), '/sign-up/email', {
      name: 'Zoë'.normalize('NFD'),
      email,
      password: 'correct horse battery',
    });
    expect(response.status).toBe(200);
    expect((await db().user.findFirstOrThrow({ where: { email } })).name).toBe('Zoë');
  });

  it.each(refused)('update-user with %s in the name → 400, unchanged', async (_label, name) => {
    const before = await everything();
    const response = await post(auth(), '/update-user', { name }, { cookie });
    expect(response.status).toBe(400);
    expect(await everything()).toEqual(before);
  });

  it.each(refused)('an API key named with %s → 400, no key', async (_label, name) => {
    const before = await everything();
    const response = await post(auth(), '/api-key/create', { name }, { cookie });
    expect(response.status).toBe(400);
    expect(await everything()).toEqual(before);
  });

  it('an API key name of 60 emoji is accepted (characters, not UTF-16 units)', async () => {
    const response = await post(auth(), '/api-key/create', { name: '🔑'.repeat(60) }, { cookie });
    expect(response.status, await response.clone().text()).toBe(200);
  });
});
