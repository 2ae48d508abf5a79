import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { loadConfig } from '@/lib/config';

// Who may read GET /api/metrics on the main port: a Bearer METRICS_TOKEN. Without one, the
// endpoint does not exist there (404) — serve it on METRICS_PORT instead, or set the token.

export type MetricsAccess = 'allowed' | 'unauthorized' | 'disabled';

export function metricsAccess(request: Request, token = loadConfig().METRICS_TOKEN): MetricsAccess {
  if (!token) return 'disabled';
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return 'unauthorized';
  // Hash both sides: equal lengths for timingSafeEqual, and no early exit on length.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]!), digest(token)) ? 'allowed' : 'unauthorized';
}
