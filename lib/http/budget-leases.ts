// Request budgets counted in PostgreSQL but not one statement per request: an instance reserves a
// few points of a budget at once and hands them out from memory (a lease on part of the window).
//
// Why: every request of a customer updated the same two rows (its key's and its own budget), so a
// busy API client's requests queued on those row locks, each held until its commit was on disk.
//
// What holds:
//   - Never more than the limit, across any number of instances: a point is served only after the
//     database granted it (the grant is computed from the row the reservation locked), so the
//     overshoot is 0. A window that ends drops what is left of its lease.
//   - What can be lost: points reserved by an instance that then gets no more requests for that
//     budget stay unused until the window ends, so another instance may refuse a little early. The
//     reservation is sized to about `leaseMs` of this instance's recent requests for the budget and
//     at most 1/20 of the limit, and is 1 point (one statement per request, as before) while the
//     budget is used slowly, so what can be stranded is at most 5 % of the limit per instance.
//   - Once the database says a window is used up, this instance refuses locally until it ends (a
//     fixed window's count only grows).
//   - Requests that need a reservation in the same tick share one statement, every budget of a
//     request (key and customer, customer and new commands) included.
//
// Pure apart from the `reserve` function it is given (lib/http/api-limits.ts passes the statement).

export type Window = { points: number; seconds: number };
export type Budget = { name: string; window: Window; key: string };
/** One row's reservation: `n` points of `key`; the window (epoch ms) it would start if none runs. */
export type Reservation = { key: string; n: number; expire: number };
/** The row after the reservation: its points (the `n` included, granted or not) and its window end. */
export type Reserved = { key: string; points: number; expire: number };
export type Reserve = (reservations: Reservation[], now: number) => Promise<Reserved[]>;

type Lease = {
  /** Points granted and not yet served. */
  remaining: number;
  /** When the window the points belong to ends (epoch ms). */
  expire: number;
  /** The database said the window is used up: refuse until `expire`. */
  exhausted: boolean;
  /** Points served since `since` (the rate a reservation is sized by). */
  served: number;
  since: number;
  /** Callers waiting for points (sizes the next reservation). */
  waiting: number;
  inflight: Promise<void> | null;
};

export type Taken = { name: string; retryAfterSeconds: number } | null;

export class BudgetLeases {
  private leases = new Map<string, Lease>();
  private batch: { reservations: Reservation[]; settle: Map<string, (r: Reserved | Error) => void> } | null = null;

  constructor(
    private readonly reserve: Reserve,
    private readonly leaseMs: number,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /**
   * One point of each budget. Every budget is counted even when another refuses; the answer is the
   * first refused budget in the order given, with how long until its window ends, or null.
   */
  async take(budgets: Budget[]): Promise<Taken> {
    const results = await Promise.all(budgets.map((b) => this.takeOne(b)));
    for (const [i, retryAfterMs] of results.entries())
      if (retryAfterMs !== null)
        return { name: budgets[i]!.name, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    return null;
  }

  /** null when served, else ms until the window ends. */
  private async takeOne(budget: Budget): Promise<number | null> {
    const id = `${budget.name}:${budget.key}`;
    // A setting changed at run time (tests do) starts a new lease on the same row.
    const lease = this.leaseOf(`${id} ${budget.window.points}/${budget.window.seconds}`);
    for (;;) {
      const now = this.clock();
      if (lease.expire <= now) {
        lease.remaining = 0;
        lease.exhausted = false;
      }
      if (lease.remaining > 0) {
        lease.remaining--;
        lease.served++;
        return null;
      }
      if (lease.exhausted) return lease.expire - now;
      if (lease.inflight) {
        lease.waiting++;
        try {
          await lease.inflight;
        } finally {
          lease.waiting--;
        }
        continue;
      }
      lease.inflight = this.refill(id, lease, budget.window, now).finally(() => (lease.inflight = null));
      await lease.inflight;
    }
  }

  private leaseOf(id: string): Lease {
    let lease = this.leases.get(id);
    if (!lease) {
      if (this.leases.size >= 10_000) this.sweep();
      lease = { remaining: 0, expire: 0, exhausted: false, served: 0, since: this.clock(), waiting: 0, inflight: null };
      this.leases.set(id, lease);
    }
    return lease;
  }

  /** How many points to reserve: the caller and those waiting, or about `leaseMs` of recent use. */
  private sizeOf(lease: Lease, window: Window, now: number): number {
    const needed = 1 + lease.waiting;
    if (this.leaseMs <= 0) return needed;
    const elapsed = Math.max(1, now - lease.since);
    const recent = Math.ceil((lease.served * this.leaseMs) / elapsed);
    const cap = Math.max(1, Math.floor(window.points / 20));
    return Math.min(Math.max(needed, recent), Math.max(cap, needed));
  }

  private async refill(id: string, lease: Lease, window: Window, now: number): Promise<void> {
    const n = this.sizeOf(lease, window, now);
    const row = await this.reserveBatched({ key: id, n, expire: now + window.seconds * 1000 }, now);
    const before = row.points - n;
    const granted = Math.max(0, Math.min(n, window.points - before));
    lease.remaining = granted;
    lease.expire = row.expire;
    lease.exhausted = granted < n;
    lease.served = 0;
    lease.since = now;
  }

  /** Joins this tick's statement (one per tick, whatever the budgets). */
  private reserveBatched(reservation: Reservation, now: number): Promise<Reserved> {
    // A row appears once per statement (a second lease on it, after a setting changed, waits for the next).
    if (this.batch?.settle.has(reservation.key)) this.batch = null;
    if (!this.batch) {
      const batch = (this.batch = { reservations: [] as Reservation[], settle: new Map() });
      setImmediate(() => {
        this.batch = null;
        this.reserve(batch.reservations, now).then(
          (rows) => {
            for (const [key, settle] of batch.settle) {
              const row = rows.find((r) => r.key === key);
              settle(row ?? new Error(`the budget row ${key} was not returned`));
            }
          },
          (error: unknown) => {
            for (const settle of batch.settle.values())
              settle(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    }
    const batch = this.batch;
    batch.reservations.push(reservation);
    return new Promise((resolve, reject) =>
      batch.settle.set(reservation.key, (r) => (r instanceof Error ? reject(r) : resolve(r))),
    );
  }

  /** Forgets leases whose window ended and that nobody is waiting on. */
  private sweep(): void {
    const now = this.clock();
    for (const [id, lease] of this.leases)
      if (lease.expire <= now && !lease.inflight && lease.waiting === 0) this.leases.delete(id);
  }
}
