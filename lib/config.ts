// The environment, validated at start-up (instrumentation.ts for every instance; scripts/start.ts
// and scripts/cluster.ts before they spawn anything) and read through loadConfig everywhere after:
// lint refuses process.env elsewhere in lib/ and app/. A wrong value stops the process with ONE line
// naming the variable, instead of failing on the first request. Not server-only: the scripts use it.
// Each field's description is the configuration reference (docs/configuration.md is made from it).
import { z } from 'zod';
import { singleton } from './singleton';
import { originList, parseOrigin } from './http/origin-list';
import { parseTrustedProxies } from './http/proxy-list';
import { parseRetrySchedule } from './webhooks/schedule';

const MIN_SECRET = 32;
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);
const onOff = z.enum(['on', 'off'], { error: 'must be "on" or "off"' });
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
const origin = z.string().refine((value) => {
  try {
    const parsed = new URL(value);
    return ['http:', 'https:'].includes(parsed.protocol) && parsed.pathname === '/' && !parsed.search && !parsed.hash;
  } catch {
    return false;
  }
}, 'must be an http(s) origin without a path, like https://bank.example');
const cidrs = z.string().refine((value) => {
  try {
    parseTrustedProxies(value);
    return true;
  } catch {
    return false;
  }
}, 'must be IP addresses or CIDRs, comma-separated (like 10.0.0.0/8, 192.0.2.10)');
const perWindow = (example: string) =>
  z
    .string()
    .regex(/^\s*(off|[1-9]\d{0,8}\s*\/\s*[1-9]\d{0,6})\s*$/, `must be <requests>/<seconds> (like ${example}) or off`);
const secret = z.string().min(MIN_SECRET, `must be at least ${MIN_SECRET} characters`);

/**
 * An optional variable with its documentation: `unset` says what happens without it, `description`
 * what it does (Markdown; docs/configuration.md is generated from both by `npm run docs:config`).
 */
const documented = <T extends z.ZodType>(schema: T, unset: string, description: string) =>
  schema.optional().describe(description).meta({ unset });

export const envSchema = z.object({
  DATABASE_URL: documented(
    url(['postgres:', 'postgresql:']),
    'the embedded PostgreSQL (`npm start`)',
    "`postgresql://user:pass@host:5432/db` of your own server, as the app's own role (see [security](security.md))",
  ),
  IDEM_MIGRATION_DATABASE_URL: documented(
    url(['postgres:', 'postgresql:']),
    '`DATABASE_URL`',
    "the schema owner's URL, used only to migrate (`npm start`, `npm run db:migrate`, `npm run cluster`)",
  ),
  DATABASE_REPLICA_URL: documented(
    url(['postgres:', 'postgresql:']),
    'every read goes to `DATABASE_URL`',
    "a hot standby (e.g. HAProxy's replicas port) for history, statements and the admin console, used only once it has replayed the caller's last commit (see [operations](operations.md))",
  ),
  DATABASE_QUERY_TIMEOUT_MS: documented(
    int(100, 3_600_000),
    'no limit',
    'a statement without an answer after this long fails (answered 503, retried with the same key): a commit waiting for a synchronous standby that is gone',
  ),
  DATABASE_POOL_SIZE: documented(
    int(1, 10_000),
    '`10`',
    "connections in this process's pool (one Prisma client per process)",
  ),
  PORT: documented(int(1, 65_535), '`3000`', 'where `npm start` serves'),
  IDEM_HOST: documented(
    z.string().min(1),
    '`127.0.0.1`',
    'the address `npm start` listens on (`HOSTNAME` is ignored: containers set it to their own name)',
  ),
  IDEM_DATA_DIR: documented(
    z.string().min(1),
    '`.data`',
    'where the embedded server keeps its data (`<dir>/postgres`)',
  ),
  IDEM_PG_PORT: documented(int(1, 65_535), 'a free port', 'port of the embedded server'),
  IDEM_PG_LOG: documented(z.string(), 'quiet', "`1` prints the embedded server's log"),
  IDEM_SNAPSHOT_EVERY: documented(int(0), '`10`', 'snapshot an account every N events (`0` = never)'),
  IDEM_PREPARED_STATEMENTS: documented(
    onOff,
    '`on`',
    '`off` for poolers without prepared-statement support (PgBouncer < 1.21 in transaction mode)',
  ),
  IDEM_ASYNC_PROJECTIONS: documented(onOff, '`on`', '`off` stops this instance from running asynchronous projections'),
  NATS_URL: documented(
    url(['nats:', 'tls:']),
    'no relay: nothing is published to NATS',
    '`nats://host:4222` of a NATS server with JetStream: every instance runs a JetStream relay of the log (one publishes at a time; see [streaming](streaming.md))',
  ),
  STATEMENTS_DATABASE_URL: documented(
    url(['postgres:', 'postgresql:']),
    '`IDEM_MIGRATION_DATABASE_URL`, else `DATABASE_URL`',
    'where `npm run consumer:statements` keeps its own schema `statements` (a role that may create it)',
  ),
  IDEM_SCHEDULER_INTERVAL: documented(
    z
      .string()
      .trim()
      .regex(/^(off|\d{1,4}(\.\d{1,3})?)$/, 'must be seconds (like 30 or 0.5) or off')
      .refine(
        (v) => v === 'off' || (Number(v) >= 0.05 && Number(v) <= 3600),
        'must be from 0.05 to 3600 seconds, or off',
      ),
    '`30`',
    "seconds between two looks of this instance's standing-order scheduler for due payments (jittered ±20 %), or `off`; every instance runs one (see [your own aggregate](your-own-aggregate.md))",
  ),
  IDEM_SCHEDULER_BATCH: documented(
    int(1, 10_000),
    '`100`',
    'standing orders one look of the scheduler advances at most',
  ),
  IDEM_SCHEDULER_TEST_CLOCK_FILE: documented(
    z.string().min(1),
    'the real clock',
    "tests only: a file holding milliseconds the scheduler's clock runs ahead of the real one (read on every look); refused at start-up unless the app's origin is a loopback http address",
  ),
  IDEM_SHUTDOWN_TIMEOUT_MS: documented(int(0, 3_600_000), '`10000`', 'how long SIGTERM waits for requests in flight'),
  NEXT_MANUAL_SIG_HANDLE: documented(
    z.string(),
    'set to `true` by `npm start` and `npm run cluster`',
    '`true` lets the instance drain itself on SIGTERM (see [operations](operations.md#shutdown))',
  ),
  METRICS_TOKEN: documented(
    z.string().min(16, 'must be at least 16 characters'),
    '`GET /api/metrics` answers 404',
    'at least 16 characters; enables `GET /api/metrics` with `Authorization: Bearer …`',
  ),
  METRICS_PORT: documented(
    int(1, 65_535),
    'no metrics port',
    'also serve the metrics, without a token, on a port of their own (`/metrics`)',
  ),
  METRICS_HOST: documented(z.string().min(1), '`127.0.0.1`', 'the address of the metrics port'),
  LOG_LEVEL: documented(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }),
    '`info`',
    '`fatal` … `trace`, `silent`; `debug` adds a line per retried write conflict',
  ),
  LOG_FORMAT: documented(
    z.enum(['json', 'pretty'], { error: 'must be "json" or "pretty"' }),
    '`pretty` in a terminal, else `json`',
    'force one or the other',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: documented(
    url(['http:', 'https:']),
    'no tracing code is loaded',
    'e.g. `http://collector:4318`: send traces (OTLP/HTTP, JSON); other `OTEL_*` variables apply',
  ),
  OTEL_SERVICE_NAME: documented(z.string().min(1), '`idem`', "the traces' `service.name`"),
  ADMIN_EMAIL: documented(
    z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'),
    '`admin@localhost` (stored as `admin@localhost.localdomain`; both sign in)',
    'the admin `npm start` creates on the embedded database (see [identity](identity.md))',
  ),
  ADMIN_PASSWORD: documented(
    z.string().min(8, 'must be at least 8 characters'),
    'a one-time password, printed only to a terminal',
    "that admin's password; also read by `npm run admin:create` (keeps it out of `ps`)",
  ),
  BETTER_AUTH_SECRET: documented(
    secret,
    'generated once by `npm start` on the embedded database and kept with its data; **required** otherwise',
    'at least 32 characters, the same on every instance: signs session cookies (see [identity](identity.md))',
  ),
  BETTER_AUTH_URL: documented(
    url(['http:', 'https:']),
    '`APP_ORIGIN` (`npm start`: `http://localhost:<PORT>`)',
    "better-auth's base URL (cookies, the passkey relying party); allowed as an origin too",
  ),
  IDEM_TRUSTED_ORIGINS: documented(
    z
      .string()
      .min(1)
      .refine((value) => {
        try {
          for (const origin of originList(value)) parseOrigin(origin, 'IDEM_TRUSTED_ORIGINS');
          return true;
        } catch {
          return false;
        }
      }, 'must be a comma-separated list of http(s) origins, like https://bank.example,https://www.bank.example'),
    '`http://127.0.0.1:<PORT>` under `npm start`, else none',
    'more origins allowed to change state (sign in, API, server actions; comma-separated)',
  ),
  IDEM_CLIENT_IP_HEADER: documented(
    z.string().regex(/^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/, 'must be header names, comma-separated'),
    '`x-forwarded-for`',
    'the header your trusted proxy writes the client address into (`CF-Connecting-IP`, …)',
  ),
  APP_ORIGIN: documented(
    origin,
    '`BETTER_AUTH_URL`, else `http://localhost:<PORT>`',
    'the public origin (`https://bank.example`): state-changing requests must come from it, compared in full (see [security](security.md))',
  ),
  TRUSTED_PROXIES: documented(
    cidrs,
    'none',
    'addresses/CIDRs of your proxies (`10.0.0.0/8, 192.0.2.10`): only they may set `X-Forwarded-*` (see [security](security.md))',
  ),
  IDEM_TRUSTED_PROXIES: documented(cidrs, '`TRUSTED_PROXIES`', 'read too, the same as `TRUSTED_PROXIES`'),
  IDEM_API_KEY_RATE_LIMIT: documented(
    perWindow('1000/60'),
    '`1000/60`',
    'requests per API key per seconds (`off` to disable), fixed windows counted in `api_rate_limits`',
  ),
  IDEM_CUSTOMER_RATE_LIMIT: documented(
    perWindow('6000/60'),
    '`6000/60`',
    'API requests per customer per seconds, all their keys and sessions together (`off` to disable)',
  ),
  IDEM_AUTH_CACHE_SECONDS: documented(
    int(0, 3600),
    '`30`',
    'how long an instance may remember a verified API key or session; revocations reach it via `LISTEN/NOTIFY` (`0` = off)',
  ),
  IDEM_BUDGET_LEASE_MS: documented(
    int(0, 10_000),
    '`100`',
    'how much of its recent traffic (ms) an instance reserves of a request budget at once, at most 1/20 of the limit (`0` = one statement per request)',
  ),
  IDEM_NEW_KEYS_PER_HOUR: documented(
    int(1, 100_000_000),
    '`10000`',
    'new Idempotency-Keys (commands) per customer per hour; a stored key is still replayed',
  ),
  IDEM_KEY_RETENTION_DAYS: documented(
    int(1, 36_500),
    '`30`',
    '`npm run prune` deletes rejected commands older than this (never one that produced events)',
  ),
  NODE_ENV: documented(
    z.string(),
    'set by Next.js (`production` under `next start`) and Vitest (`test`)',
    'in `production`, `BETTER_AUTH_SECRET` is required',
  ),
  SMTP_URL: documented(
    url(['smtp:', 'smtps:']),
    'mail goes to the local mail catcher (maildev) that `npm start` and `npm run cluster` run',
    'the mail server, `smtp://user:pass@host:587` (STARTTLS) or `smtps://…:465` (see [mail](mail.md))',
  ),
  MAIL_FROM: documented(
    z
      .string()
      .regex(
        /^([^<>\r\n]*<)?[^\s@<>]+@[^\s@<>]+>?$/,
        'must be an address, like "Idem <no-reply@bank.example>" or no-reply@bank.example',
      ),
    '`Idem <no-reply@localhost.localdomain>`',
    'the From of every mail Idem sends',
  ),
  IDEM_MAIL_SMTP_PORT: documented(
    int(1, 65_535),
    '`1025`',
    'SMTP port of the local mail catcher, used when `SMTP_URL` is unset',
  ),
  IDEM_MAIL_WEB_PORT: documented(
    int(1, 65_535),
    '`1080`',
    "port of the local mail catcher's inbox and REST API (`GET /api/email`), when `SMTP_URL` is unset",
  ),
  IDEM_RECIPIENT_LOOKUP_LIMIT: documented(
    perWindow('300/3600'),
    '`300/3600`',
    'account-number lookups (transfer reviews and transfers, form and API) per customer: `<lookups>/<seconds>` or `off`; numbers cannot be walked to list who holds them',
  ),
  IDEM_INBOUND_TRANSFERS_PER_HOUR: documented(
    z
      .string()
      .trim()
      .regex(/^(off|[1-9]\d{0,8})$/, 'must be a whole number of at least 1, or off'),
    '`20`',
    "transfers one customer may send into one account per hour (form, API and standing orders), or `off`: a flood of 1¢ transfers cannot fill a victim's history",
  ),
  IDEM_LIVE_STREAMS_PER_CUSTOMER: documented(
    int(1, 1_000),
    '`5`',
    'event streams (`GET /api/accounts/{id}/events/stream`, the live account page) one customer may hold open at once, counted over every instance in `live_stream_slots`; one more is answered 429',
  ),
  IDEM_LIVE_HEARTBEAT_SECONDS: documented(
    int(1, 300),
    '`15`',
    'seconds between the comments an idle event stream sends, so proxies and browsers keep it open and a dead client is noticed',
  ),
  IDEM_SESSION_IDLE_MINUTES: documented(
    int(1, 720),
    '`30`',
    'minutes without a request after which a browser session ends; every session also ends 12 hours after sign-in',
  ),
  IDEM_STARTER_PID: documented(
    int(1, 4_194_304),
    'set by `npm start` for the instance it starts',
    'the pid of the `npm start` that started this instance: the instance drains and exits when that process is gone (never an orphan)',
  ),
  IDEM_WEBHOOKS: documented(
    onOff,
    '`on`',
    '`off` stops this instance from delivering webhooks (see [webhooks](webhooks.md))',
  ),
  IDEM_WEBHOOK_RETRY_SCHEDULE: documented(
    z.string().refine((value) => {
      try {
        parseRetrySchedule(value);
        return true;
      } catch {
        return false;
      }
    }, 'must be durations, comma-separated (like 1s,2s,4s; units ms, s, m, h)'),
    '`5s,5m,30m,2h,5h,10h,10h`',
    'the delays before each webhook retry (jitter adds up to 10 %); after the last, a delivery is failed',
  ),
  IDEM_WEBHOOK_ALLOWED_HOSTS: documented(
    z.string(),
    'none (`npm start` on the embedded database: `127.0.0.1,localhost`)',
    'webhook hosts allowed in production although they are (or resolve to) loopback, private or link-local addresses, comma-separated',
  ),
  IDEM_WEBHOOK_SECRET_KEY: documented(
    secret,
    'derived from `BETTER_AUTH_SECRET`',
    'the key that encrypts webhook signing secrets at rest (≥ 32 characters, the same on every instance)',
  ),
  CHROMIUM_PATH: documented(
    z.string().min(1),
    '`/usr/bin/chromium`',
    'the browser of the Playwright suite and `npm run screenshots`',
  ),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

// A started server's environment does not change: once lib/process/start.ts has checked it, the
// configuration is settled for the process (every bundle: a singleton) and reading it costs nothing.
// Each look at process.env crosses into C++, and the hot path reads the configuration several times
// per request (it was 7 % of an API withdrawal's CPU). Tests and scripts, which change the
// environment, never settle it.
const settled = () => singleton('config.settled', () => ({ config: null as Config | null }));

/** Fixes the process's configuration as it is now (an instance's start, after its check passed). */
export function settleConfig(): Config {
  const config = loadConfig();
  settled().config = config;
  return config;
}

const KEYS = Object.keys(envSchema.shape);
let last: { key: string; config: Config } | undefined;

/**
 * The one way to read configuration: the variables Idem reads, validated; empty strings count as
 * unset. Throws a one-line ConfigError. Read it where the value is used (not at import: `next build`
 * and tests change the environment). The last answer is kept while the variables are unchanged, so
 * reading it on a hot path costs a look at the environment, not a validation.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const fixed = env === process.env ? settled().config : null;
  if (fixed) return fixed;
  const present = Object.fromEntries(
    KEYS.flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])),
  );
  const key = JSON.stringify(present);
  if (last?.key === key) return last.config;
  const parsed = envSchema.safeParse(present);
  if (parsed.success) {
    last = { key, config: Object.freeze(parsed.data) };
    return last.config;
  }
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const secretName = /TOKEN|SECRET|PASSWORD|DATABASE_URL|SMTP_URL/.test(name);
    const value = secretName ? '' : ` (got ${JSON.stringify(String(env[name]).slice(0, 60))})`;
    return `${name} ${issue.message}${value}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
