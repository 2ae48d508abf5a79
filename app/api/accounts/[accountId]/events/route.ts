import { accountEventOf } from '@/lib/accounts/stream';
import { accountStreamId } from '@/lib/domain/account';
import { db } from '@/lib/db/prisma';
import { readStream } from '@/lib/event-store/load';
import { parseAccountId } from '@/lib/domain/account-id';
import { guarded } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';

export async function GET(_request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return guarded(async () => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    const events = id ? await readStream(db(), accountStreamId(id)) : [];
    if (events.length === 0) return problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));
    return jsonResponse(200, {
      events: events.map((e) => ({
        globalPosition: String(e.globalPosition),
        version: e.version,
        type: e.type,
        // Readers see today's schema: older versions are upcast (stored events are never rewritten).
        data: accountEventOf(e).data,
        metadata: e.metadata,
        createdAt: e.createdAt.toISOString(),
      })),
    });
  });
}
