import type { Config } from '@/lib/config';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The test clock's file, if this instance may use one. A clock that runs ahead pays standing orders
 * early, so it is refused (the instance does not start) unless the app's public origin is a plain
 * http loopback address: a deployment customers can reach never has one.
 */
export function testClockFile(config: Config): string | null {
  const file = config.IDEM_SCHEDULER_TEST_CLOCK_FILE;
  if (!file) return null;
  const origin = config.APP_ORIGIN ?? config.BETTER_AUTH_URL;
  const url = origin ? new URL(origin) : null;
  if (!url || url.protocol !== 'http:' || !LOOPBACK.has(url.hostname))
    throw new Error(
      `IDEM_SCHEDULER_TEST_CLOCK_FILE is for tests only: refused with the origin ${origin ?? '(none)'} (it needs http://localhost or http://127.0.0.1)`,
    );
  return file;
}
