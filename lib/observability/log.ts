// Structured logs (pino): JSON lines, one object per event, or human-readable lines when stdout is
// a terminal (`npm start`, `npm run dev`). pino-pretty runs in-process as a plain stream, never as
// a worker-thread transport (those do not survive Next.js' server bundle). Every line carries the
// request id and customer id of the request it was written under (lib/observability/request-context.ts).
//
// Never logged: passwords, session tokens, API keys, Authorization / Cookie headers, request
// bodies. Call sites do not pass them, and the redaction below removes them if one ever does.
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { currentRequest } from './request-context';
import { singleton } from '@/lib/singleton';
import { loadConfig, type Config } from '@/lib/config';

/** Keys removed at any depth (case-insensitive; `x-api-key`, `sessionToken`, `ADMIN_PASSWORD_HASH` too). */
const SECRET_KEY = /pass(word)?|token|api[-_]?key|secret|authorization|cookie|^body$|^rawbody$|credential/i;

/** A copy without secret-named keys, at any depth (bounded; cycles cut). */
function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (seen.has(value) || depth > 8) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!SECRET_KEY.test(key)) out[key] = scrub(v, depth + 1, seen);
  return out;
}

export type LogFormat = 'json' | 'pretty';

export type LoggerOptions = {
  level?: string;
  format?: LogFormat;
  destination?: DestinationStream | NodeJS.WritableStream;
};

/** LOG_FORMAT if set, else human-readable in a terminal and JSON everywhere else (pipes, files, containers). */
export function logFormat(
  env: Pick<Config, 'LOG_FORMAT'> = loadConfig(),
  isTTY = process.stdout.isTTY === true,
): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? logFormat();
  const destination =
    format === 'pretty'
      ? pretty({
          colorize: process.stdout.isTTY === true,
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service',
          destination: options.destination ?? 1,
        })
      : (options.destination ?? pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level: options.level ?? loadConfig().LOG_LEVEL ?? 'info',
      base: { service: 'idem', pid: process.pid },
      formatters: { level: (label) => ({ level: label }), log: (object) => scrub(object) as Record<string, unknown> },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const request = currentRequest();
        if (!request) return {};
        return { requestId: request.requestId, ...(request.customerId ? { customerId: request.customerId } : {}) };
      },
    },
    destination,
  );
}

/** The process's logger (one per process, shared by every bundle). */
export function log(): Logger {
  return singleton('logger', createLogger);
}

/** An error as log fields: its message and, for unexpected errors, the stack. Never its cause's data. */
export function errorFields(error: unknown, stack = false): Record<string, unknown> {
  if (!(error instanceof Error)) return { err: { message: String(error) } };
  const code = (error as { code?: unknown }).code;
  return {
    err: {
      type: error.name,
      message: error.message.split('\n').at(-1),
      ...(typeof code === 'string' ? { code } : {}),
      ...(stack ? { stack: error.stack } : {}),
    },
  };
}
