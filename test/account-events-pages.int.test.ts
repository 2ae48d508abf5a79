import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db/prisma';
import { appDatabase } from '@/test/auth';
import { snapshotTables } from '@/test/db';
import { API_KEY_BOOKKEEPING } from '@/test/table-dump';
import { apiCustomer, type ApiCustomer } from '@/test/in-process-api';

// GET /api/accounts/{id}/events answers one page at a time: at most `limit`
// events (default 100, at most 1000) and `nextCursor` to read on from; bad parameters are a 400
// problem naming the parameter. Every answer is checked against the OpenAPI document too.

type Page = { events: { version: number; type: string }[]; nextCursor: string | null };
type Problem = { type: string; status: number; errors: { parameter: string; detail: string }[] };

let me: ApiCustomer;
let accountId: string;
const DEPOSITS = 101; // with AccountOpened and the opening deposit: 103 events, past the default page
appDatabase();
beforeAll(async () => {
  me = await apiCustomer();
  accountId = (await me.open('1.00')).id;
  for (let i = 0; i < DEPOSITS; i++) expect((await me.deposit(accountId, { amount: '1.00' })).status).toBe(201);
});

const page = async (query: string) => {
  const reply = await me.events(accountId, query);
  expect(reply.status, reply.text).toBe(200);
  return JSON.parse(reply.text) as Page;
};

describe('GET /api/accounts/{id}/events, paginated', () => {
  it('answers at most 100 events by default, with a cursor to the rest', async () => {
    const first = await page('');
    expect(first.events).toHaveLength(100);
    expect(first.events.map((e) => e.version)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = await page(`?cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(rest.events.map((e) => e.version)).toEqual([101, 102, 103]);
    expect(rest.nextCursor).toBeNull();
  });

  it('follows nextCursor page by page: every event exactly once, in order', async () => {
    const versions: number[] = [];
    let query = '?limit=7';
    for (let pages = 0; pages < 100; pages++) {
      const body = await page(query);
      expect(body.events.length).toBeLessThanOrEqual(7);
      versions.push(...body.events.map((e) => e.version));
      if (body.nextCursor === null) break;
      query = `?limit=7&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(versions).toEqual(Array.from({ length: DEPOSITS + 2 }, (_, i) => i + 1));
  });

  it('a page that ends exactly at the last event says there is no next page', async () => {
    const body = await page(`?limit=${DEPOSITS + 2}`);
    expect(body.events).toHaveLength(DEPOSITS + 2);
    expect(body.nextCursor).toBeNull();
  });

  const bad: [string, string, RegExp][] = [
    ['limit=0', 'limit', /limit must be a whole number from 1 to 1000/],
    ['limit=1001', 'limit', /from 1 to 1000/],
    ['limit=-1', 'limit', /from 1 to 1000/],
    ['limit=abc', 'limit', /from 1 to 1000/],
    ['limit=99999999999999999999', 'limit', /from 1 to 1000/],
    ['limit=1&limit=2', 'limit', /may be given once/],
    ['cursor=abc', 'cursor', /nextCursor value/],
    ['cursor=-1', 'cursor', /nextCursor value/],
    ['cursor=99999999999999999999', 'cursor', /nextCursor value/],
    ['cursor=1.5', 'cursor', /nextCursor value/],
    ['cursor=', 'cursor', /nextCursor value/],
  ];
  it.each(bad)('?%s → 400 invalid-request naming %s, nothing written', async (query, parameter, detail) => {
    const before = await snapshotTables(db(), API_KEY_BOOKKEEPING);
    const reply = await me.events(accountId, `?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.type).toBe('application/problem+json');
    const body = JSON.parse(reply.text) as Problem;
    expect(body.type).toBe('/problems/invalid-request');
    expect(body.errors).toContainEqual({ parameter, detail: expect.stringMatching(detail) });
    expect(await snapshotTables(db(), API_KEY_BOOKKEEPING)).toEqual(before);
  });

  it('the OpenAPI document describes the parameters and nextCursor', async () => {
    const { openApiDocument } = await import('@/lib/http/openapi');
    const operation = openApiDocument().paths['/api/accounts/{accountId}/events'].get as unknown as {
      parameters: { name: string }[];
    };
    expect(operation.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['accountId', 'cursor', 'limit']));
    const list = openApiDocument().components.schemas.EventList as { required: string[] };
    expect(list.required).toEqual(expect.arrayContaining(['events', 'nextCursor']));
  });
});
