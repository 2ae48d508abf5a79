import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/lib/db/embedded-postgres';
import { metrics, recordCommand } from './metrics';
import { startMetricsServer } from './metrics-server';
import type { Server } from 'node:http';

// METRICS_PORT: the same registry on a port of its own, without a token.
let server: Server;
let base: string;
beforeAll(async () => {
  const port = await freePort();
  server = await startMetricsServer(port);
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('metrics port', () => {
  it('serves the Prometheus text on /metrics and /api/metrics, nothing else', async () => {
    recordCommand({ type: 'WithdrawMoney', commandId: 'k', outcome: 'busy', durationMs: 12, attempts: 30 });
    for (const path of ['/metrics', '/api/metrics']) {
      const response = await fetch(base + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(metrics().registry.contentType);
      const text = await response.text();
      expect(text).toContain('idem_commands_total{type="WithdrawMoney",outcome="busy"} 1');
      expect(text).toContain('idem_command_attempts_bucket{le="30"} 1');
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    }
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
