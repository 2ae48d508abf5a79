import { accountEventOf } from '@/lib/account-commands';
import { accountStreamId } from '@/lib/domain/account';
import { db } from '@/lib/db/prisma';
import { readStream } from '@/lib/event-store';
import { isAccountId } from '@/lib/forms/schemas';
import { customerRequest } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return customerRequest(request, async () => {
    const { accountId } = await params;
    const events = isAccountId(accountId) ? await readStream(db(), accountStreamId(accountId.toLowerCase())) : [];
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
