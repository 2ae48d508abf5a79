// `npm run cluster -- --ha` (scripts/cluster.ts): the HA topology on fixed ports, so that the printed
// URLs stay the same from run to run and an operator can point tools at them. Data in .data/ha.
import path from 'node:path';
import { startHaPostgres, type HaPostgres } from './ha';

export type { HaPostgres };

/** HAProxy primary 5440 / replicas 5441, PostgreSQL 5442–5444, Patroni REST 8442–8444, etcd 2479 (peer 2480). */
const HA_PORTS = {
  primary: 5440,
  replicas: 5441,
  etcdClient: 2479,
  etcdPeer: 2480,
  nodes: [0, 1, 2].map((i) => ({ pgPort: 5442 + i, restPort: 8442 + i })),
};

export async function startHa(dir: string, log: (line: string) => void): Promise<HaPostgres> {
  log(`starting etcd, 3 PostgreSQL nodes under Patroni and HAProxy (data in ${dir})…`);
  return startHaPostgres({ dir, ports: HA_PORTS, log });
}

/** What every app instance gets on top of DATABASE_URL (the primary port). */
export const haEnv = (ha: HaPostgres): Record<string, string> => ({
  DATABASE_REPLICA_URL: ha.replicaUrl,
  // A commit waiting for a synchronous standby that is gone answers 503 after 10 s (same key again).
  DATABASE_QUERY_TIMEOUT_MS: '10000',
});

export function printHa(ha: HaPostgres, log: (line: string) => void): void {
  const hide = (url: string) => url.replace(/:[^:@/]+@/, ':***@');
  log(`etcd: http://127.0.0.1:${ha.ports.etcdClient}`);
  for (const n of ha.nodes)
    log(
      `${n.name}: PostgreSQL 127.0.0.1:${n.pgPort}, Patroni REST http://127.0.0.1:${n.restPort}/cluster, data ${n.dataDir}`,
    );
  log(`HAProxy primary port ${ha.ports.primary} (DATABASE_URL ${hide(ha.url)})`);
  log(`HAProxy replicas port ${ha.ports.replicas} (DATABASE_REPLICA_URL ${hide(ha.replicaUrl)})`);
  log(`passwords (mode 600): ${path.join(path.dirname(path.dirname(ha.nodes[0]!.dataDir)), 'secrets.json')}`);
}
