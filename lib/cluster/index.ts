// A cluster of Idem instances for `npm run cluster` and the cluster tests: PostgreSQL, migrations,
// N `next start` instances, HAProxy in front. Plain Node (no server-only): scripts and tests use it.
export { startCluster, startPostgres, type Cluster, type ClusterOptions } from './cluster';
export { HAPROXY_BIN, HAPROXY_CONFIG, renderConfig } from './haproxy';
export { lineSplitter } from './instance-log';
