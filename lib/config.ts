// The environment, validated once at start-up (instrumentation.ts for every instance; scripts/start.ts
// and scripts/cluster.ts before they spawn anything). A wrong value stops the process with ONE line
// naming the variable, instead of failing on the first request. Not server-only: the scripts use it.
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
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  IDEM_MIGRATION_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: int(1, 10_000).optional(),
  PORT: int(1, 65_535).optional(),
  IDEM_PG_PORT: int(1, 65_535).optional(),
  IDEM_HOST: z.string().min(1).optional(),
  IDEM_SNAPSHOT_EVERY: int(0).optional(),
  IDEM_PREPARED_STATEMENTS: onOff.optional(),
  IDEM_ASYNC_PROJECTIONS: onOff.optional(),
  IDEM_SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: int(1, 65_535).optional(),
  METRICS_HOST: z.string().min(1).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' })
    .optional(),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be "json" or "pretty"' }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  ADMIN_EMAIL: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
    .optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  BETTER_AUTH_SECRET: secret.optional(),
  BETTER_AUTH_URL: url(['http:', 'https:']).optional(),
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
    .optional(),
  IDEM_CLIENT_IP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/, 'must be header names, comma-separated')
    .optional(),
  APP_ORIGIN: origin.optional(),
  TRUSTED_PROXIES: cidrs.optional(),
  IDEM_TRUSTED_PROXIES: cidrs.optional(),
  IDEM_API_KEY_RATE_LIMIT: perWindow('1000/60').optional(),
  IDEM_CUSTOMER_RATE_LIMIT: perWindow('3000/60').optional(),
  IDEM_NEW_KEYS_PER_HOUR: int(1, 100_000_000).optional(),
  IDEM_KEY_RETENTION_DAYS: int(1, 36_500).optional(),
  IDEM_SESSION_IDLE_MINUTES: int(1, 720)
    .optional()
    .describe('Minutes without a request after which a browser session ends (default 30); every session also ends 12 hours after sign-in.'),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Validates the variables Idem reads; empty strings count as unset. Throws a one-line ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.keys(envSchema.shape).flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])));
  const parsed = envSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const secretName = /TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(name);
    const value = secretName ? '' : ` (got ${JSON.stringify(String(env[name]).slice(0, 60))})`;
    return `${name} ${issue.message}${value}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
