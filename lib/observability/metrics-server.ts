// METRICS_PORT: the metrics on a port of their own (GET /metrics or /api/metrics), for a network
// that only Prometheus reaches; no token there. Bound to METRICS_HOST (default 127.0.0.1).
import { createServer, type Server } from 'node:http';
import { renderMetrics } from './metrics';

export function startMetricsServer(port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((request, response) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (pathname !== '/metrics' && pathname !== '/api/metrics')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    renderMetrics().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
