// A cluster of Idem instances for `npm run cluster` and the cluster tests: PostgreSQL, migrations,
// N `next start` instances, HAProxy in front. Plain Node (no server-only): scripts and tests use it.
export { buildApp, startCluster, startPostgres, type Cluster, type ClusterOptions, type Instance, type PostgresOptions } from './cluster';
export { HAPROXY_BIN, HAPROXY_CONFIG, renderConfig, startHaproxy, type Backend, type Haproxy, type ServerStat } from './haproxy';
export { countLine, errorKind, isUnavailableLine, lineSplitter, type InstanceErrors, type InstanceNotices } from './instance-log';
