import { eventsAfter, parsePosition } from '@/lib/admin/log-queries';
import { requireAdminRequest } from '@/lib/admin/require-admin';
import { guarded } from '@/lib/http/api-handler';
import { withPgClient } from '@/lib/db/pg-client';
import { readGlobalLog, type Checkpoint } from '@/lib/projections/global-log';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';

// GET /api/admin/events?after=<position>&limit=<n>: the global log for tools, ascending by position.
// An admin's session cookie, or Authorization: Bearer <an admin's API key>; anyone else gets the
// 404 of an unknown API path.
//
// Positions are allocated at insert, not at commit, so a tool that follows the newest events by
// position can miss one whose transaction commits late. Every answer therefore also carries
// `nextCursor`; a tool that passes `cursor=<nextCursor>` instead of `after` reads the log in commit
// order (transaction id, position) and only past transactions that can no longer gain events:
// every event exactly once (see lib/projections/global-log.ts).

const MAX_LIMIT = 1000;

type Query = { after: bigint; cursor: Checkpoint | null; limit: number };

const CURSOR = /^(\d{1,20})\.(\d{1,19})$/;

function parseQuery(url: URL): ({ ok: true } & Query) | { ok: false; errors: { parameter: string; detail: string }[] } {
  const errors: { parameter: string; detail: string }[] = [];
  const single = (name: string) => {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) errors.push({ parameter: name, detail: `${name} may be given once` });
    return values[0];
  };
  const afterText = single('after');
  const limitText = single('limit');
  const cursorText = single('cursor');
  const cursorMatch = cursorText === undefined ? null : CURSOR.exec(cursorText);
  if (cursorText !== undefined && !cursorMatch)
    errors.push({ parameter: 'cursor', detail: 'cursor must be a nextCursor value from an earlier answer, like 1234.56' });
  if (cursorText !== undefined && afterText !== undefined) errors.push({ parameter: 'cursor', detail: 'give either after or cursor, not both' });
  const cursor = cursorMatch ? { transactionId: cursorMatch[1]!, position: BigInt(cursorMatch[2]!) } : null;
  const after = afterText === undefined ? 0n : parsePosition(afterText);
  if (after === undefined) errors.push({ parameter: 'after', detail: 'after must be a global position: a whole number ≥ 0' });
  const limit = limitText === undefined ? 100 : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) errors.push({ parameter: 'limit', detail: `limit must be a whole number from 1 to ${MAX_LIMIT}` });
  return errors.length > 0 || after === undefined ? { ok: false, errors } : { ok: true, after, cursor, limit };
}

export async function GET(request: Request) {
  const access = await requireAdminRequest(request);
  if (!access.ok) return access.response;
  const query = parseQuery(new URL(request.url));
  if (!query.ok) return problemResponse(problem('invalid-request', query.errors.map((e) => e.detail).join('; '), { errors: query.errors }));
  return guarded(async () => {
    const { events, next, nextCursor } = query.cursor ? await safeEventsAfter(query.cursor, query.limit) : await positionEventsAfter(query.after, query.limit);
    const body = {
      events: events.map((e) => ({
        globalPosition: String(e.globalPosition),
        streamId: e.streamId,
        version: e.version,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        commandId: e.commandId,
        createdAt: e.createdAt.toISOString(),
      })),
      next: next === null ? null : String(next),
      nextCursor,
    };
    return jsonResponse(200, body, { 'cache-control': 'no-store' });
  });
}

type Listed = { globalPosition: bigint; streamId: string; version: number; type: string; data: unknown; metadata: unknown; commandId: string; createdAt: Date };

async function positionEventsAfter(after: bigint, limit: number): Promise<{ events: Listed[]; next: bigint | null; nextCursor: string | null }> {
  const { events, next } = await eventsAfter(after, limit);
  return { events, next, nextCursor: null };
}

async function safeEventsAfter(cursor: Checkpoint, limit: number): Promise<{ events: Listed[]; next: bigint | null; nextCursor: string }> {
  const events = await withPgClient((client) => readGlobalLog(client, cursor, limit));
  const last = events.at(-1);
  return {
    events,
    next: last?.globalPosition ?? null,
    nextCursor: last ? `${last.transactionId}.${last.globalPosition}` : `${cursor.transactionId}.${cursor.position}`,
  };
}
