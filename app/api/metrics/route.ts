import { noEndpoint, problem, problemResponse } from '@/lib/http/problem';
import { metricsAccess } from '@/lib/observability/metrics-access';
import { renderMetrics } from '@/lib/observability/metrics';

// Prometheus text format. Protected by METRICS_TOKEN (Authorization: Bearer …); without a token
// the metrics are only served on METRICS_PORT (lib/observability/metrics-server.ts).
export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const access = metricsAccess(request);
  if (access === 'disabled') return noEndpoint();
  if (access === 'unauthorized') {
    return problemResponse(problem('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>.'), {
      'www-authenticate': 'Bearer realm="metrics"',
    });
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}
