import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { loadConfig } from '@/lib/config';
import { customerRequest } from '@/lib/http/api-handler';
import { problem, problemResponse } from '@/lib/http/problem';
import { openEventStream } from '@/lib/live/event-stream';
import { parseLastEventId } from '@/lib/live/sse-format';
import { takeStreamSlot } from '@/lib/live/stream-slots';
import { isDraining } from '@/lib/process/lifecycle';

// GET /api/accounts/{id}/events/stream: the account's events as they happen (text/event-stream),
// for its owner only. `id:` is the log position: reconnecting with Last-Event-ID (browsers do it by
// themselves) sends exactly what came after. See lib/live/event-stream.ts.

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return customerRequest(request, async (customer) => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    const owned = id && (await getOwnedAccount(id, customer.id));
    if (!owned) return problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));
    const resume = parseLastEventId(request.headers.get('last-event-id'));
    if (!resume.ok) {
      const detail = 'Last-Event-ID must be the id of an event this stream sent (a whole number), or absent.';
      return problemResponse(problem('invalid-request', detail, { errors: [{ parameter: 'Last-Event-ID', detail }] }));
    }
    if (isDraining())
      return problemResponse(
        problem('not-ready', 'This instance is shutting down: reconnect (with Last-Event-ID) to another.'),
        { 'retry-after': '1' },
      );
    const config = loadConfig();
    const cap = config.IDEM_LIVE_STREAMS_PER_CUSTOMER ?? 5;
    const release = takeStreamSlot(customer.id, cap);
    if (!release) {
      const detail = `This customer already has ${cap} event streams open, the most allowed at once. Close one (a tab of the account page, a client) and retry.`;
      return problemResponse(problem('too-many-streams', detail, { limit: cap }), { 'retry-after': '5' });
    }
    return openEventStream({
      accountId: owned.accountId,
      after: resume.after,
      heartbeatMs: (config.IDEM_LIVE_HEARTBEAT_SECONDS ?? 15) * 1000,
      signal: request.signal,
      onClose: release,
    });
  });
}
