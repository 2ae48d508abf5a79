// One value per process, shared by every bundle. Next.js bundles instrumentation.ts, route handlers
// and pages into separate chunks, each with its own copy of a module's top-level variables; a value
// that must be the process's own (a pool, a logger, a registry, a queue) lives on globalThis instead.
// `make` runs once per process and name, on first use.

// eslint-disable-next-line no-restricted-syntax -- the one place that may touch globalThis: every other process-wide value goes through singleton().
const slots = ((globalThis as { [key: symbol]: Map<string, unknown> | undefined })[Symbol.for('idem.singletons')] ??=
  new Map());

export function singleton<T>(name: string, make: () => T): T {
  if (!slots.has(name)) slots.set(name, make());
  return slots.get(name) as T;
}
