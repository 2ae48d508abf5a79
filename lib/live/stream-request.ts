import 'server-only';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { loadConfig } from '@/lib/config';
import { problem, problemResponse } from '@/lib/http/problem';
import { isDraining } from '@/lib/process/lifecycle';
import { openEventStream } from './event-stream';
import { parseLastEventId } from './sse-format';
import { INT8_MAX, invalidQuery, parseWholeNumber, queryReader } from '@/lib/http/query-params';
import { takeStreamSlot } from './stream-slots';

/**
 * The answer to GET /api/accounts/{id}/events/stream for a known customer: the stream, or why not
 * (someone else's account is the same 404 as an unknown one; a bad Last-Event-ID 400; over the
 * cap 429; a draining instance 503).
 */
export async function streamAnswer(request: Request, customerId: string, accountIdText: string): Promise<Response> {
  const accountId = parseAccountId(accountIdText);
  const account = accountId ? await getOwnedAccount(accountId, customerId) : null;
  if (account === null)
    return problemResponse(problem('account-not-found', `There is no account ${accountIdText.slice(0, 100)}.`));
  const resume = parseLastEventId(request.headers.get('last-event-id'));
  if (!resume.ok) {
    const detail = 'Last-Event-ID must be the id of an event this stream sent (a whole number), or absent.';
    return problemResponse(problem('invalid-request', detail, { errors: [{ parameter: 'Last-Event-ID', detail }] }));
  }
  const query = queryReader(new URL(request.url));
  const versionText = query.single('afterVersion');
  const afterVersion = versionText === undefined ? null : parseWholeNumber(versionText, INT8_MAX);
  if (afterVersion === undefined)
    query.fail('afterVersion', 'afterVersion must be a version of the account (a whole number), or absent');
  if (query.errors.length > 0) return invalidQuery(query.errors);
  if (isDraining())
    return problemResponse(
      problem('not-ready', 'This instance is shutting down: reconnect (with Last-Event-ID) to another.'),
      { 'retry-after': '1' },
    );
  const config = loadConfig();
  const cap = config.IDEM_LIVE_STREAMS_PER_CUSTOMER ?? 5;
  // Counted in PostgreSQL for every instance; a database that cannot count it is a 503 (guarded()).
  const release = await takeStreamSlot(customerId, cap);
  if (!release) {
    const detail = `This customer already has ${cap} event streams open, the most allowed at once. Close one (a tab of the account page, a client) and retry.`;
    return problemResponse(problem('too-many-streams', detail, { limit: cap }), { 'retry-after': '5' });
  }
  return openEventStream({
    accountId: account.accountId,
    after: resume.after,
    afterVersion: afterVersion ?? null,
    heartbeatMs: (config.IDEM_LIVE_HEARTBEAT_SECONDS ?? 15) * 1000,
    signal: request.signal,
    onClose: release,
  });
}
