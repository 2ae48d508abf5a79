import { getOwnedAccount } from '@/lib/accounts/queries';
import { accountEventOf } from '@/lib/accounts/stream';
import { readDb } from '@/lib/db/read-replica';
import { accountStreamId } from '@/lib/accounts/domain/account';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { readStreamPage } from '@/lib/event-store';
import { customerRequest } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';
import { INT4_MAX, invalidQuery, parseLimit, parseWholeNumber, queryReader } from '@/lib/http/query-params';

// GET /api/accounts/{id}/events?cursor=<nextCursor>&limit=<n>: the account's events oldest first, a
// page at a time (a long-lived account's whole stream is too much for one answer). `nextCursor` is
// the last version on the page, null on the last page.

const EVENTS_PAGE = { default: 100, max: 1000 };

function parseQuery(url: URL) {
  const reader = queryReader(url);
  const cursorText = reader.single('cursor');
  const cursor = cursorText === undefined ? 0n : parseWholeNumber(cursorText, INT4_MAX);
  if (cursor === undefined) reader.fail('cursor', 'cursor must be a nextCursor value from an earlier answer, like 100');
  const limit = parseLimit(reader, EVENTS_PAGE.default, EVENTS_PAGE.max);
  return reader.errors.length > 0
    ? ({ ok: false, errors: reader.errors } as const)
    : ({ ok: true, after: Number(cursor), limit } as const);
}

/** A transfer's event without the other account's id (toAccountId / fromAccountId). */
function withoutCounterparty(data: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).filter(([field]) => field !== 'toAccountId' && field !== 'fromAccountId'),
  );
}

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return customerRequest(request, async (customer) => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    const owned = id && (await getOwnedAccount(id, customer.id));
    if (!owned) return problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));
    const query = parseQuery(new URL(request.url));
    if (!query.ok) return invalidQuery(query.errors);
    const { events, more } = await readStreamPage(
      await readDb(),
      accountStreamId(owned.accountId),
      query.after,
      query.limit,
    );
    return jsonResponse(200, {
      events: events.map((e) => ({
        globalPosition: String(e.globalPosition),
        version: e.version,
        type: e.type,
        // Readers see today's schema: older versions are upcast (stored events are never rewritten).
        // No metadata: a transfer-in event was written by the sender's command, whose id is theirs.
        // Nor the other side's account id: a transfer names the counterparty by nothing the caller may not see.
        data: withoutCounterparty(accountEventOf(e).data),
        createdAt: e.createdAt.toISOString(),
      })),
      nextCursor: more ? String(events.at(-1)!.version) : null,
    });
  });
}
