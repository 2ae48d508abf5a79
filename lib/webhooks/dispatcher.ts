// The webhook dispatcher: one per app instance. Each round it fans new events out (one instance at a
// time, ./fan-out.ts), then claims due deliveries (./claims.ts) up to its concurrency and attempts
// them: signed with the endpoint's secret(s), sent (./send.ts), the outcome recorded under the claim's
// lease. Nothing here is needed for correctness across instances but the database.
import { hostname } from 'node:os';
import type pg from 'pg';
import { newPool } from '@/lib/db/pool';
import { isConnectionError } from '@/lib/db/connection-errors';
import { claimDeliveries, recordAttempt, type Claimed, type Outcome, type Recorded } from './claims';
import { fanOutBatch } from './fan-out';
import { ATTEMPT_TIMEOUT_MS, sendAttempt, type AttemptResult } from './send';
import { signDelivery } from './signing';
import type { AddressPolicy } from './address-policy';

/** Events one fan-out transaction reads at most. */
const FAN_OUT_BATCH = 500;

export type DispatcherOptions = {
  schedule: readonly number[];
  policy: AddressPolicy;
  /** Decrypts a stored secret (./secrets.ts). */
  openSecret: (sealed: string) => string;
  pollMs?: number;
  concurrency?: number;
  timeoutMs?: number;
  /** Longer than the timeout: a claim outlives its attempt. */
  leaseMs?: number;
  log?: (line: string) => void;
  onRecorded?: (outcome: Recorded, claimed: Claimed) => void;
  onDisabled?: (claimed: Claimed, reason: string) => void;
  /** Tests: replace the HTTP attempt. */
  send?: typeof sendAttempt;
};

/** Who holds a claim: this host and process. */
const WORKER = `${hostname()}:${process.pid}`;

const isSuccess = (result: AttemptResult) => result.kind === 'answered' && result.status >= 200 && result.status < 300;

export function outcomeOf(result: AttemptResult): Outcome {
  if (result.kind === 'error') return { ok: false, status: null, response: null, error: result.error };
  if (isSuccess(result)) return { ok: true, status: result.status, response: result.body };
  const redirect = result.status >= 300 && result.status < 400 ? ' (redirects are not followed)' : '';
  return { ok: false, status: result.status, response: result.body, error: `HTTP ${result.status}${redirect}` };
}

/** The secrets a delivery is signed with now: the current one, and the previous during its 24 h. */
export function signingSecrets(claimed: Claimed, open: (sealed: string) => string, now: Date): string[] {
  const secrets = [open(claimed.secret)];
  if (claimed.previousSecret && claimed.previousSecretUntil && claimed.previousSecretUntil > now)
    secrets.push(open(claimed.previousSecret));
  return secrets;
}

export class WebhookDispatcher {
  private pool: pg.Pool;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    databaseUrl: string,
    private readonly options: DispatcherOptions,
  ) {
    // A lost connection surfaces at the round's next query (lib/db/pool.ts keeps it from crashing the process).
    this.pool = newPool({ connectionString: databaseUrl, max: 3, application_name: `idem-webhooks-${process.pid}` });
  }

  /** Starts the rounds (once). */
  start(): this {
    if (!this.loop) this.loop = this.run();
    return this;
  }

  /** Stops claiming, waits for attempts in flight to be recorded, closes the pool. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([this.loop, ...this.inFlight]);
    await this.pool.end().catch(() => {});
  }

  /** One round: fan out what is new (a short batch ends it), claim and start due deliveries. Returns how many were claimed. */
  async round(): Promise<number> {
    const client = await this.pool.connect();
    try {
      // Until a batch comes back short of full. Looping until one found nothing ran, under a steady
      // stream of commands, one transaction per handful of new events, back to back (27 a second
      // beside 430 API withdrawals a second, a sixth of PostgreSQL's CPU per command when no
      // endpoint exists at all); what commits after a short batch waits for the next round.
      for (let read = FAN_OUT_BATCH; read === FAN_OUT_BATCH && !this.stopped;)
        read = await fanOutBatch(client, FAN_OUT_BATCH);
      const free = (this.options.concurrency ?? 8) - this.inFlight.size;
      if (free <= 0 || this.stopped) return 0;
      const timeoutMs = this.options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
      const claimed = await claimDeliveries(client, free, this.options.leaseMs ?? timeoutMs + 20_000, WORKER);
      for (const delivery of claimed) {
        const attempt = this.attempt(delivery).finally(() => this.inFlight.delete(attempt));
        this.inFlight.add(attempt);
      }
      return claimed.length;
    } finally {
      client.release();
    }
  }

  /** Tests: wait for the attempts started so far. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async attempt(claimed: Claimed): Promise<void> {
    const { log = () => {}, send = sendAttempt } = this.options;
    let outcome: Outcome;
    try {
      const now = new Date();
      const headers = signDelivery(
        claimed.eventId,
        now,
        claimed.body,
        signingSecrets(claimed, this.options.openSecret, now),
      );
      outcome = outcomeOf(
        await send(
          claimed.url,
          claimed.body,
          headers,
          this.options.policy,
          this.options.timeoutMs ?? ATTEMPT_TIMEOUT_MS,
        ),
      );
    } catch (error) {
      outcome = {
        ok: false,
        status: null,
        response: null,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    // The outcome must be recorded; retry while the database is away (the lease keeps others off).
    for (let tries = 0; ; tries++) {
      try {
        const client = await this.pool.connect();
        try {
          const { recorded, disabled } = await recordAttempt(client, claimed, outcome, this.options.schedule);
          this.options.onRecorded?.(recorded, claimed);
          if (disabled) this.options.onDisabled?.(claimed, disabled.reason);
        } finally {
          client.release();
        }
        return;
      } catch (error) {
        if (!isConnectionError(error) || tries >= 20) {
          log(`webhook delivery ${claimed.id}: could not record the attempt: ${String(error)}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async run(): Promise<void> {
    const { pollMs = 250, log = () => {} } = this.options;
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.round();
      } catch (error) {
        log(`webhook dispatcher: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (claimed === 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
