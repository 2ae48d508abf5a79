// The configuration files of the HA topology (lib/cluster/ha.ts): one Patroni file per PostgreSQL
// node and HAProxy's. Pure functions, so a test can read what an operator would run. Patroni reads
// YAML, and JSON is YAML: the files are written as JSON.

const PG_BIN_DIR = process.env.IDEM_PG15_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export type HaPorts = { etcdClient: number; etcdPeer: number; primary: number; replicas: number };
export type HaNodeSpec = { name: string; host: string; pgPort: number; restPort: number; dataDir: string };
export type HaSecrets = { superuser: string; replication: string; rewind: string };

/**
 * ttl 10 / loop_wait 2 / retry_timeout 4 (loop_wait + 2 × retry_timeout ≤ ttl): a dead leader's lease
 * expires within 10 s. synchronous_mode_strict: with no synchronous standby left, commits wait rather
 * than be acknowledged on one server alone (RPO 0). wal_retrieve_retry_interval 1s: a replica of a
 * newly promoted leader retries its slot every second, not every 5 s (strict mode blocks commits
 * until one is back). pg_rewind (with wal_log_hints) turns an old leader into a replica again.
 */
export function patroniConfig(
  node: HaNodeSpec,
  options: { etcdHosts: string[]; socketDir: string; secrets: HaSecrets; settings?: Record<string, string | number> },
): Record<string, unknown> {
  const { secrets } = options;
  return {
    scope: 'idem',
    namespace: '/idem/',
    name: node.name,
    restapi: { listen: `${node.host}:${node.restPort}`, connect_address: `${node.host}:${node.restPort}` },
    etcd3: { hosts: options.etcdHosts },
    bootstrap: {
      dcs: {
        ttl: 10,
        loop_wait: 2,
        retry_timeout: 4,
        maximum_lag_on_failover: 1048576,
        synchronous_mode: true,
        synchronous_mode_strict: true,
        synchronous_node_count: 1,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: 'replica',
            hot_standby: 'on',
            wal_log_hints: 'on',
            wal_retrieve_retry_interval: '1s',
            max_wal_senders: 10,
            max_replication_slots: 10,
            max_connections: 300,
            shared_buffers: '32MB',
            ...options.settings,
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
    },
    postgresql: {
      listen: `${node.host}:${node.pgPort}`,
      connect_address: `${node.host}:${node.pgPort}`,
      data_dir: node.dataDir,
      bin_dir: PG_BIN_DIR,
      pgpass: `${node.dataDir}.pgpass`,
      authentication: {
        superuser: { username: 'postgres', password: secrets.superuser },
        replication: { username: 'replicator', password: secrets.replication },
        rewind: { username: 'rewinder', password: secrets.rewind },
      },
      parameters: { unix_socket_directories: options.socketDir },
      pg_hba: [
        'local all all trust',
        'host replication replicator 127.0.0.1/32 scram-sha-256',
        'host replication replicator 0.0.0.0/0 scram-sha-256',
        'host all all 127.0.0.1/32 scram-sha-256',
        'host all all 0.0.0.0/0 scram-sha-256',
      ],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

/**
 * HAProxy in TCP mode: the primary port sends connections to the one node whose Patroni answers 200
 * on /primary, the replicas port to the nodes answering 200 on /replica. A node marked down has its
 * sessions shut, so clients of an old primary reconnect to the new one instead of writing on.
 */
export function haproxyConfig(options: {
  bind: string;
  ports: Pick<HaPorts, 'primary' | 'replicas'>;
  socket: string;
  nodes: HaNodeSpec[];
}): string {
  const servers = options.nodes
    .map((n) => `    server ${n.name} ${n.host}:${n.pgPort} check port ${n.restPort}`)
    .join('\n');
  return `global
    maxconn 2000
    stats socket ${options.socket} mode 600 level admin

defaults
    mode tcp
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 2s

listen primary
    bind ${options.bind}:${options.ports.primary}
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
${servers}

listen replicas
    bind ${options.bind}:${options.ports.replicas}
    balance roundrobin
    option httpchk GET /replica
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
${servers}
`;
}

export function etcdArgs(options: { name: string; dataDir: string; host: string; ports: HaPorts }): string[] {
  const client = `http://${options.host}:${options.ports.etcdClient}`;
  const peer = `http://${options.host}:${options.ports.etcdPeer}`;
  return [
    '--name',
    options.name,
    '--data-dir',
    options.dataDir,
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `${options.name}=${peer}`,
    '--initial-cluster-state',
    'new',
  ];
}
