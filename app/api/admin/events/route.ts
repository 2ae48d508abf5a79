import { asWritten, commandTypesOf, eventsAfter, parsePosition } from '@/lib/admin/log-queries';
import { eventMetadataOf, storedMetadataFrom } from '@/lib/event-store';
import { requireAdminRequest } from '@/lib/admin/require-admin';
import { guarded } from '@/lib/http/api-handler';
import { withPgClient } from '@/lib/db/pg-client';
import { readGlobalLog, type Checkpoint } from '@/lib/projections/global-log';
import { jsonResponse } from '@/lib/http/problem';
import {
  INT8_MAX,
  invalidQuery,
  parseLimit,
  parseWholeNumber,
  queryReader,
  XID8_MAX,
  type ParameterError,
} from '@/lib/http/query-params';

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

// A transaction id is an xid8 and a position a bigint: digits beyond their range are a 400 here,
// not a cast error in PostgreSQL (a 500).
function parseCursor(text: string): Checkpoint | undefined {
  const [transactionId, position, ...rest] = text.split('.');
  if (transactionId === undefined || position === undefined || rest.length > 0) return undefined;
  const tx = parseWholeNumber(transactionId, XID8_MAX);
  const pos = parseWholeNumber(position, INT8_MAX);
  return tx === undefined || pos === undefined ? undefined : { transactionId: tx.toString(), position: pos };
}

function parseQuery(url: URL): ({ ok: true } & Query) | { ok: false; errors: ParameterError[] } {
  const reader = queryReader(url);
  const afterText = reader.single('after');
  const cursorText = reader.single('cursor');
  const cursor = cursorText === undefined ? null : (parseCursor(cursorText) ?? null);
  if (cursorText !== undefined && !cursor)
    reader.fail('cursor', 'cursor must be a nextCursor value from an earlier answer, like 1234.56');
  if (cursorText !== undefined && afterText !== undefined)
    reader.fail('cursor', 'give either after or cursor, not both');
  const after = afterText === undefined ? 0n : parsePosition(afterText);
  if (after === undefined) reader.fail('after', 'after must be a global position: a whole number ≥ 0');
  const limit = parseLimit(reader, 100, MAX_LIMIT);
  return reader.errors.length > 0 || after === undefined
    ? { ok: false, errors: reader.errors }
    : { ok: true, after, cursor, limit };
}

export async function GET(request: Request) {
  const access = await requireAdminRequest(request);
  if (!access.ok) return access.response;
  const query = parseQuery(new URL(request.url));
  if (!query.ok) return invalidQuery(query.errors);
  return guarded(async () => {
    const { events, next, nextCursor } = query.cursor
      ? await safeEventsAfter(query.cursor, query.limit)
      : await positionEventsAfter(query.after, query.limit);
    const types = await commandTypesOf(events.map((e) => e.commandId));
    const body = {
      events: events.map((e) => ({
        globalPosition: String(e.globalPosition),
        streamId: e.streamId,
        version: e.version,
        type: e.type,
        data: e.data,
        metadata: eventMetadataOf(
          storedMetadataFrom({ metadata: e.metadata, schemaVersion: e.schemaVersion ?? null }),
          e.commandId,
          types.get(e.commandId),
        ),
        commandId: e.commandId,
        createdAt: e.createdAt.toISOString(),
      })),
      next: next === null ? null : String(next),
      nextCursor,
    };
    return jsonResponse(200, body, { 'cache-control': 'no-store' });
  });
}

type Listed = {
  globalPosition: bigint;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  /** Its own column on rows read by Prisma; readers of the log in SQL have put it back into `metadata`. */
  schemaVersion?: number | null;
  commandId: string;
  createdAt: Date;
};

async function positionEventsAfter(
  after: bigint,
  limit: number,
): Promise<{ events: Listed[]; next: bigint | null; nextCursor: string | null }> {
  const { events, next } = await eventsAfter(after, limit);
  return { events, next, nextCursor: null };
}

async function safeEventsAfter(
  cursor: Checkpoint,
  limit: number,
): Promise<{ events: Listed[]; next: bigint | null; nextCursor: string }> {
  const events = await withPgClient((client) => readGlobalLog(client, cursor, limit));
  const last = events.at(-1);
  return {
    events: events.map(asWritten),
    next: last?.globalPosition ?? null,
    nextCursor: last ? `${last.transactionId}.${last.globalPosition}` : `${cursor.transactionId}.${cursor.position}`,
  };
}
