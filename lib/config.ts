// The environment, validated at start-up (instrumentation.ts for every instance; scripts/start.ts
// and scripts/cluster.ts before they spawn anything) and read through loadConfig everywhere after:
// lint refuses process.env elsewhere in lib/ and app/. A wrong value stops the process with ONE line
// naming the variable, instead of failing on the first request. Not server-only: the scripts use it.
// Each field's description is the configuration reference (docs/configuration.md is made from it).
import { z } from 'zod';
import { parseTrustedProxies } from './http/client-address';
import { allowedOrigins } from './http/origins';

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
  z.string().regex(/^\s*(off|[1-9]\d{0,8}\s*\/\s*[1-9]\d{0,6})\s*$/, `must be <requests>/<seconds> (like ${example}) or off`);
const secret = z.string().min(MIN_SECRET, `must be at least ${MIN_SECRET} characters`);

export const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe("The app's PostgreSQL, as the app's role (`postgresql://user:pass@host:5432/db`). Unset: `npm start` runs an embedded server."),
  IDEM_MIGRATION_DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe("The schema owner's URL, used only to migrate (`npm start`, `db:migrate`, `cluster`). Default: DATABASE_URL."),
  DATABASE_POOL_SIZE: int(1, 10_000).optional().describe("Connections in this process's pool (one Prisma client per process). Default: 10."),
  PORT: int(1, 65_535).optional().describe('Where `npm start` serves. Default: 3000.'),
  IDEM_HOST: z
    .string()
    .min(1)
    .optional()
    .describe('The address `npm start` binds to (`HOSTNAME` is ignored: containers set it to their own name). Default: 127.0.0.1.'),
  IDEM_DATA_DIR: z.string().min(1).optional().describe('Where the embedded server keeps its data (`<dir>/postgres`). Default: .data.'),
  IDEM_PG_PORT: int(1, 65_535).optional().describe('Port of the embedded server. Default: a free port.'),
  IDEM_PG_LOG: z.string().optional().describe("`1` prints the embedded server's log."),
  IDEM_SNAPSHOT_EVERY: int(0).optional().describe('Snapshot a stream every N events (0 = never). Default: 10.'),
  IDEM_PREPARED_STATEMENTS: onOff
    .optional()
    .describe('`off` for poolers without prepared-statement support (PgBouncer < 1.21 in transaction mode). Default: on.'),
  IDEM_ASYNC_PROJECTIONS: onOff.optional().describe('`off` stops this instance from running asynchronous projections. Default: on.'),
  IDEM_SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).optional().describe('How long SIGTERM waits for requests in flight, in milliseconds. Default: 10000.'),
  NEXT_MANUAL_SIG_HANDLE: z
    .string()
    .optional()
    .describe('Read by Next.js too: set (as `npm start` and `npm run cluster` do), the instance drains itself on SIGTERM instead of Next exiting at once.'),
  NODE_ENV: z
    .string()
    .optional()
    .describe('Set by Next.js (`production` under `next start`) and Vitest (`test`). In production BETTER_AUTH_SECRET is required.'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('At least 16 characters; enables `GET /api/metrics` with `Authorization: Bearer <token>`.'),
  METRICS_PORT: int(1, 65_535).optional().describe('Also serve the metrics, without a token, on a port of their own (`/metrics`).'),
  METRICS_HOST: z.string().min(1).optional().describe('The address METRICS_PORT binds to. Default: 127.0.0.1.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' })
    .optional()
    .describe('`fatal` … `trace`, or `silent`. Default: info.'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'], { error: 'must be "json" or "pretty"' })
    .optional()
    .describe('Force `json` or `pretty`. Default: pretty in a terminal, else json.'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:'])
    .optional()
    .describe('Send traces over OTLP/HTTP (JSON) to this endpoint, like `http://collector:4318`; the other `OTEL_*` variables apply.'),
  OTEL_SERVICE_NAME: z.string().min(1).optional().describe("The traces' `service.name`. Default: idem."),
  ADMIN_EMAIL: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
    .optional()
    .describe('The admin `npm start` creates on the embedded database. Default: admin@localhost.'),
  ADMIN_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters')
    .optional()
    .describe("That admin's password (at least 8 characters). Default: generated once and shown only in a terminal."),
  BETTER_AUTH_SECRET: secret
    .optional()
    .describe(
      'At least 32 characters, the same on every instance: signs session cookies. Required in production; `npm start` generates one for the embedded database.',
    ),
  BETTER_AUTH_URL: url(['http:', 'https:'])
    .optional()
    .describe("better-auth's base URL (cookies, the passkey relying party); also an allowed origin. Default: APP_ORIGIN."),
  IDEM_TRUSTED_ORIGINS: z
    .string()
    .min(1)
    .refine((value) => {
      try {
        allowedOrigins({ IDEM_TRUSTED_ORIGINS: value });
        return true;
      } catch {
        return false;
      }
    }, 'must be a comma-separated list of http(s) origins, like https://bank.example,https://www.bank.example')
    .optional()
    .describe('More origins allowed to change state (sign in, API, server actions), comma-separated. `npm start` adds http://127.0.0.1:<PORT>.'),
  IDEM_CLIENT_IP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/, 'must be header names, comma-separated')
    .optional()
    .describe('The header a trusted proxy writes the client address into (`CF-Connecting-IP`, …). Default: x-forwarded-for.'),
  APP_ORIGIN: origin
    .optional()
    .describe('The public origin (`https://bank.example`): state-changing requests must come from it. Default: BETTER_AUTH_URL, else http://localhost:<PORT>.'),
  TRUSTED_PROXIES: cidrs
    .optional()
    .describe('Addresses or CIDRs of your proxies (`10.0.0.0/8, 192.0.2.10`): only they may set `X-Forwarded-*`. Default: none.'),
  IDEM_TRUSTED_PROXIES: cidrs.optional().describe('The earlier name of TRUSTED_PROXIES, still read when TRUSTED_PROXIES is unset.'),
  IDEM_API_KEY_RATE_LIMIT: perWindow('1000/60')
    .optional()
    .describe('Requests per API key per seconds (`<requests>/<seconds>`, or `off`), fixed windows. Default: 1000/60.'),
  IDEM_CUSTOMER_RATE_LIMIT: perWindow('3000/60')
    .optional()
    .describe('API requests per customer per seconds, all their keys and sessions together (`<requests>/<seconds>`, or `off`). Default: 6000/60.'),
  IDEM_NEW_KEYS_PER_HOUR: int(1, 100_000_000)
    .optional()
    .describe('New Idempotency-Keys (commands) per customer per hour; a stored key is still replayed. Default: 10000.'),
  IDEM_KEY_RETENTION_DAYS: int(1, 36_500)
    .optional()
    .describe('`npm run prune` deletes rejected commands older than this many days (never one that produced events). Default: 30.'),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

const KEYS = Object.keys(envSchema.shape);
let last: { key: string; config: Config } | undefined;

/**
 * The one way to read configuration: the variables Idem reads, validated; empty strings count as
 * unset. Throws a one-line ConfigError. Read it where the value is used (not at import: `next build`
 * and tests change the environment). The last answer is kept while the variables are unchanged, so
 * reading it on a hot path costs a look at the environment, not a validation.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(KEYS.flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])));
  const key = JSON.stringify(present);
  if (last?.key === key) return last.config;
  const parsed = envSchema.safeParse(present);
  if (parsed.success) {
    last = { key, config: Object.freeze(parsed.data) };
    return last.config;
  }
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const secretName = /TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(name);
    const value = secretName ? '' : ` (got ${JSON.stringify(String(env[name]).slice(0, 60))})`;
    return `${name} ${issue.message}${value}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
