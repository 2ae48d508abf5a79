import 'server-only';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { loadConfig } from '@/lib/config';
import { db, poolOf } from '@/lib/db/prisma';
import { errorFields, log } from '@/lib/observability/log';
import { onShutdown } from '@/lib/process/lifecycle';
import { singleton } from '@/lib/singleton';
import { pgSlotStore, type SlotStore } from './slot-store';

// The cap on open event streams per customer, for the whole deployment: each instance counts the
// streams it holds per customer in memory (the truth about itself) and keeps them in PostgreSQL
// (lib/live/slot-store.ts), where opening one more checks every live instance's count under the
// customer's lock. Two tabs of the account page and a script's stream fit the default; a client
// that leaks streams gets 429 whichever instance it reaches.
//
// Liveness: an instance that holds streams refreshes its rows every SLOT_HEARTBEAT_MS; rows not
// refreshed for SLOT_LIVENESS_MS (three heartbeats: an instance that crashed, or lost the database
// that long) stop counting. A graceful shutdown deletes its rows at once.

const SLOT_HEARTBEAT_MS = 15_000;
export const SLOT_LIVENESS_MS = 45_000;

/** Release of a stream's slot: idempotent, never throws (a write that fails is retried by the heartbeat). */
export type Release = () => void;

type CustomerSlots = {
  /** Streams this instance holds for the customer. */
  held: number;
  /** Operations on the customer's row run one after the other, in order, through this chain. */
  tail: Promise<void>;
  /** Operations queued or running. */
  busy: number;
  /** The row may not say `held` (a write failed): the heartbeat writes it. */
  dirty: boolean;
};

export class StreamSlots {
  private readonly customers = new Map<string, CustomerSlots>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: SlotStore,
    private readonly heartbeatMs = SLOT_HEARTBEAT_MS,
  ) {}

  /**
   * Takes one of the customer's `cap` slots; null when the deployment's live instances hold them
   * all. Throws what the database threw (nothing is taken then: never an uncounted stream).
   */
  async take(customerId: string, cap: number): Promise<Release | null> {
    const granted = await this.serially(customerId, async (c) => {
      try {
        if (!(await this.store.reserve(customerId, c.held + 1, cap))) return false;
      } catch (error) {
        c.dirty = true; // a commit whose answer was lost may have counted it: the heartbeat writes the truth
        throw error;
      } finally {
        this.keepAlive();
      }
      c.held += 1;
      return true;
    });
    if (!granted) return null;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void this.serially(customerId, async (c) => {
        c.held -= 1;
        await this.write([[customerId, c]]);
      });
    };
  }

  /** Refreshes this instance's rows (their counts as this instance knows them), then sweeps dead ones. */
  async heartbeat(): Promise<void> {
    // A customer with an operation in flight is skipped (that operation writes its row); the others
    // are claimed, so that no operation of theirs runs between reading `held` and writing it.
    const idle = [...this.customers].filter(([, c]) => c.busy === 0);
    let done = () => {};
    const claimed = new Promise<void>((resolve) => (done = resolve));
    for (const [id, c] of idle) {
      c.busy += 1;
      c.tail = claimed.then(() => this.settle(id, c));
    }
    try {
      await this.write(idle);
    } finally {
      done();
    }
    await this.store.sweep().catch((error: unknown) => {
      log().warn({ component: 'live', ...errorFields(error) }, 'stream slots: sweep failed');
    });
  }

  /** Graceful shutdown, once the streams ended: waits for their releases, then deletes this instance's rows. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.customers.values()].map((c) => c.tail));
    await this.store.clear();
  }

  /** Streams this instance holds for the customer. */
  held(customerId: string): number {
    return this.customers.get(customerId)?.held ?? 0;
  }

  private serially<T>(customerId: string, run: (c: CustomerSlots) => Promise<T>): Promise<T> {
    let c = this.customers.get(customerId);
    if (!c) this.customers.set(customerId, (c = { held: 0, tail: Promise.resolve(), busy: 0, dirty: false }));
    const customer = c;
    customer.busy += 1;
    const result = customer.tail.then(() => run(customer));
    customer.tail = result.then(
      () => this.settle(customerId, customer),
      () => this.settle(customerId, customer),
    );
    return result;
  }

  private settle(customerId: string, c: CustomerSlots): void {
    c.busy -= 1;
    if (c.busy === 0 && c.held === 0 && !c.dirty && this.customers.get(customerId) === c)
      this.customers.delete(customerId);
  }

  /** Writes the rows of these customers as held here; a failure marks them for the heartbeat. */
  private async write(entries: ReadonlyArray<readonly [string, CustomerSlots]>): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.store.write(entries.map(([id, c]) => [id, c.held] as const));
      for (const [, c] of entries) c.dirty = false;
    } catch (error) {
      for (const [, c] of entries) c.dirty = true;
      log().warn(
        { component: 'live', ...errorFields(error) },
        'stream slots: write failed, the heartbeat writes it again',
      );
    }
  }

  /** The heartbeat runs while anything is held or left to write, and stops by itself after. */
  private keepAlive(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.customers.size === 0) {
        clearInterval(this.timer!);
        this.timer = null;
        return;
      }
      void this.heartbeat();
    }, this.heartbeatMs);
    this.timer.unref();
  }
}

/** This process's id in live_stream_slots: readable for operators, unique across restarts. */
const instanceId = () =>
  singleton('instanceId', () => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`);

/** This instance's slots (one per database), made on first use; its rows are deleted at shutdown. */
function streamSlots(): StreamSlots {
  const url = loadConfig().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return singleton(`liveStreamSlots:${url}`, () => {
    const slots = new StreamSlots(pgSlotStore(() => poolOf(db()), instanceId(), SLOT_LIVENESS_MS));
    onShutdown('live stream slots', 1, () => slots.stop());
    return slots;
  });
}

/** Takes one of the customer's slots on this instance's database; see StreamSlots.take. */
export const takeStreamSlot = (customerId: string, cap: number): Promise<Release | null> =>
  streamSlots().take(customerId, cap);
