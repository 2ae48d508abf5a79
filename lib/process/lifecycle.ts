// Process lifecycle shared by every bundle (a process singleton): whether the instance is draining,
// the HTTP server Next.js listens on and its in-flight requests (seen through Node's
// diagnostics_channel, without touching Next's server), and the steps run at shutdown.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { singleton } from '@/lib/singleton';

/** Lower phases run first: 1 stop background work, 2 close the pool, 3 flush telemetry. */
export type ShutdownHook = { name: string; phase: 1 | 2 | 3; run: () => Promise<void> };

type Lifecycle = {
  draining: boolean;
  servers: Set<Server>;
  inFlight: number;
  idle: Set<() => void>;
  hooks: ShutdownHook[];
  /** Run once when draining starts: long-lived answers (event streams) end so the drain can finish. */
  drainListeners: Set<() => void>;
};

const state = () =>
  singleton<Lifecycle>('lifecycle', () => ({
    draining: false,
    servers: new Set(),
    inFlight: 0,
    idle: new Set(),
    hooks: [],
    drainListeners: new Set(),
  }));

export function isDraining(): boolean {
  return state().draining;
}

export function startDraining(): void {
  const s = state();
  if (s.draining) return;
  s.draining = true;
  for (const listener of s.drainListeners) listener();
}

/**
 * `listener` runs when draining starts (at once if it already has): for requests that would
 * otherwise never finish, like an event stream. Returns the function that removes it.
 */
export function onDrain(listener: () => void): () => void {
  const s = state();
  if (s.draining) {
    listener();
    return () => {};
  }
  s.drainListeners.add(listener);
  return () => s.drainListeners.delete(listener);
}

/** A step to run at shutdown, after in-flight requests finished (or the timeout passed). */
export function onShutdown(name: string, phase: ShutdownHook['phase'], run: () => Promise<void>): void {
  state().hooks.push({ name, phase, run });
}

export function shutdownHooks(): ShutdownHook[] {
  return [...state().hooks].sort((a, b) => a.phase - b.phase);
}

/** Called for every request Node's HTTP server starts (lib/observability/http.ts). */
export function trackRequest(server: Server, request: IncomingMessage, response: ServerResponse): void {
  const s = state();
  s.servers.add(server);
  s.inFlight += 1;
  // While draining, every answer also closes its connection: a keep-alive client (the load
  // balancer) then opens its next connection to an instance that is not going away.
  if (s.draining && !response.headersSent) response.setHeader('connection', 'close');
  response.once('close', () => {
    s.inFlight -= 1;
    if (s.inFlight === 0) for (const resolve of s.idle) resolve();
  });
  void request;
}

export function inFlight(): number {
  return state().inFlight;
}

export function servers(): Server[] {
  return [...state().servers];
}

/** Resolves when no request is in flight, or after `timeoutMs`; true if all finished. */
export function waitForIdle(timeoutMs: number): Promise<boolean> {
  const s = state();
  if (s.inFlight === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (finished: boolean) => {
      clearTimeout(timer);
      s.idle.delete(onIdle);
      resolve(finished);
    };
    const onIdle = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    s.idle.add(onIdle);
  });
}
