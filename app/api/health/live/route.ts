// Liveness: 200 while the process serves requests. Nothing else is checked (a database outage must
// not get every instance restarted); readiness is /api/health/ready.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'live' }, { headers: { 'cache-control': 'no-store' } });
}
