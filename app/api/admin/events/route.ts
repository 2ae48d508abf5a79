import { eventsAfter, parsePosition } from '@/lib/admin/log-queries';
import { requireAdminRequest } from '@/lib/admin/require-admin';
import { guarded } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';

// GET /api/admin/events?after=<position>&limit=<n>: the global log for tools, ascending by position.
// Admin session cookie, or Authorization: Bearer <ADMIN_API_TOKEN>.

const MAX_LIMIT = 1000;

function parseQuery(url: URL): { ok: true; after: bigint; limit: number } | { ok: false; errors: { parameter: string; detail: string }[] } {
  const errors: { parameter: string; detail: string }[] = [];
  const single = (name: string) => {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) errors.push({ parameter: name, detail: `${name} may be given once` });
    return values[0];
  };
  const afterText = single('after');
  const limitText = single('limit');
  const after = afterText === undefined ? 0n : parsePosition(afterText);
  if (after === undefined) errors.push({ parameter: 'after', detail: 'after must be a global position: a whole number ≥ 0' });
  const limit = limitText === undefined ? 100 : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) errors.push({ parameter: 'limit', detail: `limit must be a whole number from 1 to ${MAX_LIMIT}` });
  return errors.length > 0 || after === undefined ? { ok: false, errors } : { ok: true, after, limit };
}

export async function GET(request: Request) {
  const denied = requireAdminRequest(request);
  if (denied) return denied;
  const query = parseQuery(new URL(request.url));
  if (!query.ok) return problemResponse(problem('invalid-request', query.errors.map((e) => e.detail).join('; '), { errors: query.errors }));
  return guarded(async () => {
    const { events, next } = await eventsAfter(query.after, query.limit);
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
    };
    return jsonResponse(200, body, { 'cache-control': 'no-store' });
  });
}
