import { customerRequest } from '@/lib/http/api-handler';
import { streamAnswer } from '@/lib/live/stream-request';

// GET /api/accounts/{id}/events/stream: the account's events as they happen (text/event-stream),
// for its owner only. `id:` is the log position: reconnecting with Last-Event-ID (browsers do it by
// themselves) sends exactly what came after. See lib/live/stream-request.ts and event-stream.ts.

export const dynamic = 'force-dynamic';

export const GET = (request: Request, context: { params: Promise<{ accountId: string }> }) =>
  customerRequest(request, async (customer) => streamAnswer(request, customer.id, (await context.params).accountId));
