import 'server-only';
import { db as defaultDb, type Db } from '@/lib/db/prisma';
import { readStream } from '@/lib/event-store';
import { dayOf } from '@/lib/standing-orders/domain/schedule';
import { standingOrderStreamId } from '@/lib/standing-orders/domain/standing-order';
import { rehydrate } from './commands';
import { advance, type Order, type StepOutcome } from './occurrence';

// The scheduler of standing orders. Every instance runs one: no leader, no lock. Each look reads
// the due orders from the projection (a payment running, or one whose day has come by this
// instance's clock), at most `batch` of them in a random order so instances spread over them, and
// takes each as far as it goes. Two instances on the same payment send the same command ids, so
// the engine records each step once and replays it to the other: the command id is the guarantee.

/** Steps one order may take in one look (a fast-forwarded year of weekly payments is ~160). */
const MAX_STEPS_PER_ORDER = 400;

export type SchedulerOptions = { db?: Db; clock: () => Date; batch: number };
export type LookReport = { orders: number; steps: Record<StepOutcome, number> };

async function dueOrderIds(db: Db, today: string, batch: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT standing_order_id::text AS id FROM standing_orders
     WHERE running_due_on IS NOT NULL OR next_attempt_on <= ${today}::date
     ORDER BY random() LIMIT ${batch}`;
  return rows.map((r) => r.id);
}

async function loadOrder(db: Db, id: string): Promise<Order | null> {
  const state = rehydrate({ snapshot: null, events: await readStream(db, standingOrderStreamId(id)), version: 0 });
  return state.status === 'none' ? null : state;
}

/** One look: every due order of the batch, advanced until it has nothing due at the clock's time. */
export async function lookOnce(options: SchedulerOptions): Promise<LookReport> {
  const db = options.db ?? defaultDb();
  const now = options.clock();
  const report: LookReport = {
    orders: 0,
    steps: { started: 0, paid: 0, refused: 0, 'retry-scheduled': 0, idle: 0, busy: 0, limited: 0 },
  };
  for (const id of await dueOrderIds(db, dayOf(now.toISOString()), options.batch)) {
    let order = await loadOrder(db, id);
    if (!order) continue;
    report.orders += 1;
    for (let n = 0; n < MAX_STEPS_PER_ORDER; n++) {
      // The clock is read again for every step: a look that takes a while records the time it ran.
      const step = await advance(order, options.clock(), db);
      report.steps[step.step] += 1;
      if (step.step === 'idle' || step.step === 'busy' || step.step === 'limited') break;
      order = step.order;
    }
  }
  return report;
}

/** The interval with ±20 % jitter, so instances started together do not look in step. */
const jittered = (ms: number, random = Math.random) => Math.round(ms * (0.8 + 0.4 * random()));

export class StandingOrderScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions & { intervalMs: number; onError: (error: unknown) => void }) {}

  start(): void {
    this.stopped = false;
    this.schedule(jittered(Math.min(this.options.intervalMs, 1_000)));
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = lookOnce(this.options)
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => {
          this.running = null;
          this.schedule(jittered(this.options.intervalMs));
        });
    }, ms);
    this.timer.unref();
  }

  /** Stops looking and waits for a look in progress (each of its steps is a whole command). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
