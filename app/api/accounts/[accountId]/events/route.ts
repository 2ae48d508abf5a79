import { getOwnedAccount } from '@/lib/accounts/queries';
import { accountEventOf } from '@/lib/accounts/stream';
import { db } from '@/lib/db/prisma';
import { accountStreamId } from '@/lib/domain/account';
import { parseAccountId } from '@/lib/domain/account-id';
import { readStream } from '@/lib/event-store/load';
import { customerRequest } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return customerRequest(request, async (customer) => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    const owned = id && (await getOwnedAccount(id, customer.id));
    if (!owned) return problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));
    const events = await readStream(db(), accountStreamId(owned.accountId));
    return jsonResponse(200, {
      events: events.map((e) => ({
        globalPosition: String(e.globalPosition),
        version: e.version,
        type: e.type,
        // Readers see today's schema: older versions are upcast (stored events are never rewritten).
        // No metadata: a transfer-in event was written by the sender's command, whose id is theirs.
        data: accountEventOf(e).data,
        createdAt: e.createdAt.toISOString(),
      })),
    });
  });
}
