import { describe, expect, it } from 'vitest';
import { haproxyConfig, patroniConfig } from './ha-config';

const node = { name: 'pg0', host: '127.0.0.1', pgPort: 5442, restPort: 8442, dataDir: '/data/ha/pg0/data' };
const secrets = { superuser: 's', replication: 'r', rewind: 'w' };

describe('the HA topology configuration', () => {
  it('Patroni: synchronous, strict, one sync standby, pg_rewind, the PostgreSQL 15 binaries, its own socket dir', () => {
    const config = patroniConfig(node, { etcdHosts: ['127.0.0.1:2479'], socketDir: '/data/ha/sock', secrets }) as {
      bootstrap: { dcs: Record<string, unknown> & { postgresql: { use_pg_rewind: boolean; parameters: object } } };
      postgresql: { bin_dir: string; parameters: object };
    };
    expect(config.bootstrap.dcs).toMatchObject({
      synchronous_mode: true,
      synchronous_mode_strict: true,
      synchronous_node_count: 1,
      ttl: 10,
      loop_wait: 2,
      retry_timeout: 4,
    });
    const { loop_wait, retry_timeout, ttl } = config.bootstrap.dcs as Record<string, number>;
    expect(loop_wait! + 2 * retry_timeout!).toBeLessThanOrEqual(ttl!);
    expect(config.bootstrap.dcs.postgresql.use_pg_rewind).toBe(true);
    expect(config.bootstrap.dcs.postgresql.parameters).toMatchObject({
      wal_log_hints: 'on',
      wal_retrieve_retry_interval: '1s',
    });
    expect(config.postgresql.bin_dir).toBe('/usr/lib/postgresql/15/bin');
    expect(config.postgresql.parameters).toEqual({ unix_socket_directories: '/data/ha/sock' });
  });

  it('HAProxy: a primary port checked on /primary and a replicas port checked on /replica, sessions cut on failover', () => {
    const text = haproxyConfig({
      bind: '127.0.0.1',
      ports: { primary: 5440, replicas: 5441 },
      socket: '/s',
      nodes: [node],
    });
    const [primary, replicas] = text.split('listen replicas');
    expect(primary).toMatch(/bind 127\.0\.0\.1:5440[\s\S]*option httpchk GET \/primary/);
    expect(replicas).toMatch(/bind 127\.0\.0\.1:5441[\s\S]*option httpchk GET \/replica/);
    for (const part of [primary!, replicas!]) {
      expect(part).toContain('on-marked-down shutdown-sessions');
      expect(part).toContain('server pg0 127.0.0.1:5442 check port 8442');
    }
  });
});
