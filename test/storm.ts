// The client side of the storm and fault tests (test/*.cluster.test.ts): sends JSON API commands
// to the cluster's instances, duplicates keys across instances, retries on 5xx / 409 / network
// errors with the SAME Idempotency-Key (bounded), and records every response it saw per key — the
// observations test/invariants.ts checks against the database.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiHeaders } from './api-client';
import type { Observation, ObservedRequest, ObservedResponse } from './invariants';

export type StormStats = {
  /** HTTP attempts sent (first sends + duplicates + retries). */
  requests: number;
  /** Distinct Idempotency-Keys. */
  keys: number;
  /** Extra sends of a key that was already being sent (to another instance). */
  duplicates: number;
  /** Re-sends after a 5xx, 409 or network error. */
  retries: number;
  status5xx: number;
  status409: number;
  networkErrors: number;
  /** Network errors by kind (ECONNREFUSED: nothing listening; ECONNRESET / "other side closed": cut in flight). */
  networkErrorKinds: Record<string, number>;
  /** Keys that never got a final answer within the retry budget. */
  gaveUp: number;
  byStatus: Record<string, number>;
};

export type SendOptions = {
  /** Instance to send the first attempt to; retries rotate to the next ones. */
  instance: number;
  /** Marks this send as a duplicate of a key already sent. */
  duplicate?: boolean;
  /** Delay before the first attempt (ms), to spread a storm. */
  delayMs?: number;
  /** Attempt n goes to instance (instance + n × stride) mod N: 1 = rotate (default), 0 = same instance. */
  stride?: number;
};

export type StormClientOptions = {
  /** Retry budget per send (attempts in total). */
  maxAttempts?: number;
  /** Backoff cap in ms (full jitter, exponential from 25 ms). */
  maxBackoffMs?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** `Authorization` header of every request (cluster-harness.ts `apiKeyAuthorization`). */
  authorization?: string;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StormClient {
  readonly observations = new Map<string, Observation>();
  readonly stats: StormStats = { requests: 0, keys: 0, duplicates: 0, retries: 0, status5xx: 0, status409: 0, networkErrors: 0, networkErrorKinds: {}, gaveUp: 0, byStatus: {} };
  private readonly maxAttempts: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  /** Headers that identify the client's customer; also for requests a test sends itself. */
  readonly authHeaders: Record<string, string>;

  constructor(
    /** Base URLs of the instances (an LB would pick one; so do we, by index). */
    private readonly urls: () => string[],
    options: StormClientOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 60;
    this.maxBackoffMs = options.maxBackoffMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.authHeaders = options.authorization ? { authorization: options.authorization } : {};
  }

  /** Opens an account (with a retry budget); returns its id. */
  async openAccount(owner: string, openingDeposit: string, instance = 0): Promise<string> {
    const final = await this.send({ kind: 'open', path: '/api/accounts', body: { owner, openingDeposit } }, randomUUID(), { instance });
    if (final?.status !== 201) throw new Error(`opening an account failed: ${final?.status} ${final?.body}`);
    return (JSON.parse(final.body) as { id: string }).id;
  }

  deposit(accountId: string, amount: string, key: string, options: SendOptions) {
    return this.send({ kind: 'deposit', accountId, path: `/api/accounts/${accountId}/deposits`, body: { amount } }, key, options);
  }

  withdraw(accountId: string, amount: string, key: string, options: SendOptions) {
    return this.send({ kind: 'withdraw', accountId, path: `/api/accounts/${accountId}/withdrawals`, body: { amount } }, key, options);
  }

  transfer(from: string, to: string, amount: string, key: string, options: SendOptions) {
    return this.send({ kind: 'transfer', path: '/api/transfers', body: { from, to, amount } }, key, options);
  }

  /**
   * Sends one command until it gets a final answer (not 5xx, not 409, not a network error) or the
   * budget runs out. Every response is recorded under the key. Returns the final response, or null.
   */
  async send(request: ObservedRequest, key: string, options: SendOptions): Promise<ObservedResponse | null> {
    let observation = this.observations.get(key);
    if (!observation) {
      observation = { key, request, responses: [] };
      this.observations.set(key, observation);
      this.stats.keys += 1;
    } else if (options.duplicate !== false) {
      this.stats.duplicates += 1;
    }
    if (options.delayMs) await sleep(options.delayMs);
    const payload = JSON.stringify(request.body);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const urls = this.urls();
      const instance = (options.instance + attempt * (options.stride ?? 1)) % urls.length;
      if (attempt > 0) this.stats.retries += 1;
      this.stats.requests += 1;
      const response = await this.attempt(urls[instance]! + request.path, key, payload, instance);
      observation.responses.push(response);
      this.stats.byStatus[response.status] = (this.stats.byStatus[response.status] ?? 0) + 1;
      if (response.status === 0) {
        this.stats.networkErrors += 1;
        const kind = response.error ?? 'unknown';
        this.stats.networkErrorKinds[kind] = (this.stats.networkErrorKinds[kind] ?? 0) + 1;
      }
      else if (response.status >= 500) this.stats.status5xx += 1;
      else if (response.status === 409) this.stats.status409 += 1;
      if (isFinal(response.status)) return response;
      await sleep(Math.random() * Math.min(this.maxBackoffMs, 25 * 2 ** attempt));
    }
    this.stats.gaveUp += 1;
    return null;
  }

  private async attempt(url: string, key: string, payload: string, instance: number): Promise<ObservedResponse> {
    const started = Date.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: apiHeaders(key, this.authHeaders),
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await response.text();
      return { status: response.status, body, instance, replayed: response.headers.get('idempotent-replayed') === 'true', ms: Date.now() - started };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { status: 0, body: '', instance, replayed: false, ms: Date.now() - started, error: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)) };
    }
  }

  list(): Observation[] {
    return [...this.observations.values()];
  }

  /** Keys that already have a final answer. */
  resolved(): number {
    let n = 0;
    for (const o of this.observations.values()) if (o.responses.some((r) => isFinal(r.status))) n += 1;
    return n;
  }
}

/** A response the client stops retrying on: anything but 5xx, 409 (busy) and network errors. */
export const isFinal = (status: number) => status !== 0 && status < 500 && status !== 409;

/** A cents amount as the API's decimal string. */
export const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Deterministic pseudo-random numbers (mulberry32), so a failing storm can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ScenarioSummary = Pick<StormStats, 'requests' | 'keys' | 'duplicates' | 'retries' | 'status5xx' | 'status409' | 'networkErrors' | 'byStatus'> & {
  scenario: string;
  durationMs: number;
  [extra: string]: unknown;
};

/** Prints one summary line and merges it into reports/cluster-summary.json. */
export function reportScenario(summary: ScenarioSummary): void {
  const { scenario, requests, keys, duplicates, retries, status5xx, status409, networkErrors, durationMs, byStatus, ...extra } = summary;
  const extras = Object.entries(extra)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  console.log(
    `[cluster] ${scenario}: requests=${requests} keys=${keys} duplicates=${duplicates} retries=${retries} 5xx=${status5xx} 409=${status409} ` +
      `network-errors=${networkErrors} statuses=${JSON.stringify(byStatus)} duration=${(durationMs / 1000).toFixed(1)}s${extras ? ` ${extras}` : ''}`,
  );
  const file = path.resolve('reports', 'cluster-summary.json');
  mkdirSync(path.dirname(file), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first scenario of the run
  }
  all[scenario] = { ...summary, at: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
}
