import { problem, problemResponse } from '@/lib/http/problem';
import { readiness } from '@/lib/process/readiness';

// Readiness for load balancers: 200 when this instance should get traffic, else 503 problem+json
// saying why (database, migrations, draining). No authentication; no versions or secrets.
export const dynamic = 'force-dynamic';

export async function GET() {
  const state = await readiness();
  if (state.ready) return Response.json({ status: 'ready' }, { headers: { 'cache-control': 'no-store' } });
  return problemResponse(problem('not-ready', state.reason), { 'cache-control': 'no-store', 'retry-after': '1' });
}
