// The client side of the storm and fault tests (test/*.cluster.test.ts): several customers, each
// with one or more API keys, send JSON API commands to the cluster's instances, duplicate keys across
// instances, retry on 5xx / 409 / 429 / network errors with the SAME Idempotency-Key (bounded), and
// record every response they saw per command — the observations test/invariants.ts checks against
// the database. A customer with several API keys uses them in turn, attempt after attempt: a key is
// the customer's, not the API key's, so rotating keys mid-retry must still deduplicate.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiHeaders, reportAnswer, signUpApiCustomer, type ApiCustomer } from './api-client';
import {
  commandIdOf,
  isFinalStatus,
  type Observation,
  type ObservedRequest,
  type ObservedResponse,
} from './invariants';

export type StormStats = {
  /** HTTP attempts sent (first sends + duplicates + retries). */
  requests: number;
  /** Distinct commands (a key per customer). */
  keys: number;
  /** Extra sends of a key that was already being sent (to another instance). */
  duplicates: number;
  /** Re-sends after a 5xx, 409, 429 or network error. */
  retries: number;
  status5xx: number;
  status409: number;
  /** Answers "this API key is over its request limit" (nothing ran; retried after Retry-After). */
  status429: number;
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
  /** Send as this customer (id) instead of the account's owner: someone reaching for another's account. */
  as?: string;
  /** Attempt n uses the customer's API key number (apiKey + n) mod keys; default: the customer's keys in turn. */
  apiKey?: number;
};

export type StormClientOptions = {
  /** Retry budget per send (attempts in total). */
  maxAttempts?: number;
  /** Backoff cap in ms (full jitter, exponential from 25 ms). */
  maxBackoffMs?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
};

/** An account a customer of this client opened; `customerId` owns it. */
export type StormAccount = { id: string; accountNumber: string; customerId: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs up one customer per entry (`keys` API keys each), spread over the instances. */
export async function stormCustomers(urls: string[], keysPerCustomer: number[]): Promise<ApiCustomer[]> {
  const customers: ApiCustomer[] = [];
  for (const [i, keys] of keysPerCustomer.entries())
    customers.push(await signUpApiCustomer(urls[i % urls.length]!, `Customer ${i + 1}`, keys));
  return customers;
}

export class StormClient {
  /** Per command id ("<customer id>:<key>"). */
  readonly observations = new Map<string, Observation>();
  readonly stats: StormStats = {
    requests: 0,
    keys: 0,
    duplicates: 0,
    retries: 0,
    status5xx: 0,
    status409: 0,
    status429: 0,
    networkErrors: 0,
    networkErrorKinds: {},
    gaveUp: 0,
    byStatus: {},
  };
  readonly customers: ApiCustomer[];
  private readonly accounts = new Map<string, StormAccount>();
  /** Attempts each customer sent so far: the next one goes out with key number (turn mod keys). */
  private readonly turns = new Map<string, number>();
  /** Attempts sent to each instance and not answered yet (a kill then cuts some in flight). */
  readonly inFlight: number[] = [];
  private sends = 0;
  private readonly maxAttempts: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;

  constructor(
    /** Base URLs of the instances (an LB would pick one; so do we, by index). */
    private readonly urls: () => string[],
    customers: ApiCustomer[],
    options: StormClientOptions = {},
  ) {
    if (customers.length === 0) throw new Error('a storm needs at least one customer');
    this.customers = customers;
    this.maxAttempts = options.maxAttempts ?? 60;
    this.maxBackoffMs = options.maxBackoffMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Opens an account for `customer` (with a retry budget); returns its id. */
  async openAccount(customer: ApiCustomer, name: string, openingDeposit: string, instance = 0): Promise<string> {
    const request: ObservedRequest = {
      kind: 'open',
      customerId: customer.id,
      path: '/api/accounts',
      body: { name, openingDeposit },
    };
    const final = await this.send(request, randomUUID(), { instance });
    if (final?.status !== 201) throw new Error(`opening an account failed: ${final?.status} ${final?.body}`);
    const { id, accountNumber } = JSON.parse(final.body) as { id: string; accountNumber: string };
    this.accounts.set(id, { id, accountNumber, customerId: customer.id });
    return id;
  }

  /** An account this client opened. */
  account(id: string): StormAccount {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`account ${id} was not opened by this client`);
    return account;
  }

  /** The customer with this id. */
  customer(id: string): ApiCustomer {
    const customer = this.customers.find((c) => c.id === id);
    if (!customer) throw new Error(`no customer ${id} in this client`);
    return customer;
  }

  deposit(accountId: string, amount: string, key: string, options: SendOptions) {
    const customerId = options.as ?? this.account(accountId).customerId;
    return this.send(
      { kind: 'deposit', customerId, accountId, path: `/api/accounts/${accountId}/deposits`, body: { amount } },
      key,
      options,
    );
  }

  withdraw(accountId: string, amount: string, key: string, options: SendOptions) {
    const customerId = options.as ?? this.account(accountId).customerId;
    return this.send(
      { kind: 'withdraw', customerId, accountId, path: `/api/accounts/${accountId}/withdrawals`, body: { amount } },
      key,
      options,
    );
  }

  /** From `from` (sent by its owner) to the account `to`, by its number. */
  transfer(from: string, to: string, amount: string, key: string, options: SendOptions) {
    const customerId = options.as ?? this.account(from).customerId;
    const toAccountNumber = this.account(to).accountNumber;
    return this.send(
      {
        kind: 'transfer',
        customerId,
        toAccountId: to,
        path: '/api/transfers',
        body: { from, toAccountNumber, amount },
      },
      key,
      options,
    );
  }

  /** The observation of `key` sent by `customerId`. */
  observation(customerId: string, key: string): Observation | undefined {
    return this.observations.get(commandIdOf({ key, request: { customerId } as ObservedRequest, responses: [] }));
  }

  /** Headers of a request the test sends itself as `customerId` (their next API key in turn). */
  authHeaders(customerId: string): Record<string, string> {
    return { authorization: this.nextAuthorization(customerId).authorization };
  }

  private nextAuthorization(customerId: string, keyTurn?: number): { authorization: string; index: number } {
    const { authorizations } = this.customer(customerId);
    const turn = keyTurn ?? this.turns.get(customerId) ?? 0;
    if (keyTurn === undefined) this.turns.set(customerId, turn + 1);
    const index = turn % authorizations.length;
    return { authorization: authorizations[index]!, index };
  }

  /**
   * Sends one command until it gets a final answer (not 5xx, 409, 429, not a network error) or the
   * budget runs out. Every response is recorded under the command. Returns the final response, or null.
   */
  async send(request: ObservedRequest, key: string, options: SendOptions): Promise<ObservedResponse | null> {
    const commandId = commandIdOf({ key, request, responses: [] });
    let observation = this.observations.get(commandId);
    if (!observation) {
      observation = { key, request, responses: [] };
      this.observations.set(commandId, observation);
      this.stats.keys += 1;
    } else if (options.duplicate !== false) {
      this.stats.duplicates += 1;
    }
    if (options.delayMs) await sleep(options.delayMs);
    const payload = JSON.stringify(request.body);
    const send = ++this.sends;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const urls = this.urls();
      const instance = (options.instance + attempt * (options.stride ?? 1)) % urls.length;
      if (attempt > 0) this.stats.retries += 1;
      this.stats.requests += 1;
      const keyTurn = options.apiKey === undefined ? undefined : options.apiKey + attempt;
      this.inFlight[instance] = (this.inFlight[instance] ?? 0) + 1;
      const { response, retryAfterSeconds } = await this.attempt(
        urls[instance]! + request.path,
        key,
        payload,
        instance,
        request.customerId,
        keyTurn,
      );
      this.inFlight[instance]! -= 1;
      observation.responses.push({ ...response, send });
      this.stats.byStatus[response.status] = (this.stats.byStatus[response.status] ?? 0) + 1;
      if (response.status === 0) {
        this.stats.networkErrors += 1;
        const kind = response.error ?? 'unknown';
        this.stats.networkErrorKinds[kind] = (this.stats.networkErrorKinds[kind] ?? 0) + 1;
      } else if (response.status >= 500) this.stats.status5xx += 1;
      else if (response.status === 409) this.stats.status409 += 1;
      else if (response.status === 429) this.stats.status429 += 1;
      if (isFinal(response.status)) return response;
      const backoff = Math.random() * Math.min(this.maxBackoffMs, 25 * 2 ** attempt);
      await sleep(response.status === 429 ? Math.min(retryAfterSeconds, 5) * 1_000 + backoff : backoff);
    }
    this.stats.gaveUp += 1;
    return null;
  }

  private async attempt(
    url: string,
    key: string,
    payload: string,
    instance: number,
    customerId: string,
    keyTurn?: number,
  ): Promise<{ response: ObservedResponse; retryAfterSeconds: number }> {
    const started = Date.now();
    const { authorization, index } = this.nextAuthorization(customerId, keyTurn);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: apiHeaders(key, { authorization }),
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await response.text();
      reportAnswer('POST', url, response, body);
      return {
        response: {
          status: response.status,
          body,
          instance,
          apiKey: index,
          replayed: response.headers.get('idempotent-replayed') === 'true',
          ms: Date.now() - started,
          at: started,
        },
        retryAfterSeconds: Number(response.headers.get('retry-after') ?? 1) || 1,
      };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const kind = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      return {
        response: {
          status: 0,
          body: '',
          instance,
          apiKey: index,
          replayed: false,
          ms: Date.now() - started,
          at: started,
          error: kind,
        },
        retryAfterSeconds: 1,
      };
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

/** A response the client stops retrying on: anything but 5xx, 409 (busy), 429 (key over its limit) and network errors. */
export const isFinal = isFinalStatus;

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

export type ScenarioSummary = Pick<
  StormStats,
  'requests' | 'keys' | 'duplicates' | 'retries' | 'status5xx' | 'status409' | 'networkErrors' | 'byStatus'
> &
  Partial<Pick<StormStats, 'status429'>> & {
    scenario: string;
    durationMs: number;
    [extra: string]: unknown;
  };

/** Prints one summary line and merges it into reports/cluster-summary.json. */
export function reportScenario(summary: ScenarioSummary): void {
  const {
    scenario,
    requests,
    keys,
    duplicates,
    retries,
    status5xx,
    status409,
    networkErrors,
    durationMs,
    byStatus,
    ...extra
  } = summary;
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
