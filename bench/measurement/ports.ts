// Ports the suite listens on. On a machine shared by several work trees each has a block of ports:
// BENCH_PG_PORTS (for the embedded PostgreSQL) and BENCH_APP_PORTS (for `next start` instances),
// each "FROM-TO"; the first free port of the block is taken. Unset: any free port.
import { freePort, portIsFree } from '../../lib/db/embedded-postgres';

const taken = new Set<number>();

export async function benchPort(variable: 'BENCH_PG_PORTS' | 'BENCH_APP_PORTS'): Promise<number> {
  const block = process.env[variable];
  if (!block) return freePort();
  const match = /^(\d+)-(\d+)$/.exec(block.trim());
  if (!match) throw new Error(`${variable} must look like 3500-3599, got "${block}"`);
  for (let port = Number(match[1]); port <= Number(match[2]); port++) {
    // A port handed out earlier in this run may not be bound yet (a server still starting).
    if (taken.has(port) || !(await portIsFree(port))) continue;
    taken.add(port);
    return port;
  }
  throw new Error(`${variable}: no free port in ${block}`);
}
