import 'server-only';
import { commandKeySql } from '@/lib/event-store';
import { db, poolOf, preparedStatements, type Db } from '@/lib/db/prisma';
import { problem, problemResponse } from '@/lib/http/problem';
import { singleton } from '@/lib/singleton';
import { loadConfig, type Config } from '@/lib/config';

const STORED_COMMAND = `SELECT 1 FROM commands WHERE command_key = ${commandKeySql('$1')}`;
/** Whether a command id is already stored (its outcome is replayed, no row is added). */
const isStored = async (client: Db, commandId: string) =>
  ((await poolOf(client).query(STORED_COMMAND, [commandId])).rowCount ?? 0) > 0;
import { BudgetLeases, type Budget, type Reserve, type Window } from '@/lib/http/budget-leases';

// Per-customer budgets of the JSON API (docs/security.md), counted in PostgreSQL (table
// api_rate_limits, one row per customer and window, taken in leases of a few points at a time:
// lib/http/budget-leases.ts) so that every instance draws on the same budget. Per API key the library that
// verifies keys does not count (its window restarts from a key's last request, so a key in steady use
// never got a fresh budget); keys are counted here, in fixed windows, like customers.
//   - requests: IDEM_CUSTOMER_RATE_LIMIT per customer, whichever key or session they use;
//   - requests: IDEM_API_KEY_RATE_LIMIT per API key;
//   - new commands: IDEM_NEW_KEYS_PER_HOUR Idempotency-Keys per customer per hour, so that random
//     keys cannot fill the commands table. A key that already has a stored outcome is still replayed.

export type Refusal = { retryAfterSeconds: number };

const DEFAULT_CUSTOMER_RATE_LIMIT = '6000/60';
const DEFAULT_API_KEY_RATE_LIMIT = '1000/60';
const DEFAULT_NEW_KEYS_PER_HOUR = 10_000;
const DEFAULT_RECIPIENT_LOOKUP_LIMIT = '300/3600';
const DEFAULT_INBOUND_TRANSFERS_PER_HOUR = '20';

/** `<requests>/<seconds>` or `off` (validated at start by lib/config.ts). */
function parseWindow(value: string): Window | null {
  if (value.trim() === 'off') return null;
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,7})\s*$/.exec(value);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1)
    throw new Error(`"${value}" is not <requests>/<seconds> (like 6000/60) or off`);
  return { points: Number(match[1]), seconds: Number(match[2]) };
}

export function apiLimits(
  env: Pick<
    Config,
    | 'IDEM_CUSTOMER_RATE_LIMIT'
    | 'IDEM_API_KEY_RATE_LIMIT'
    | 'IDEM_RECIPIENT_LOOKUP_LIMIT'
    | 'IDEM_INBOUND_TRANSFERS_PER_HOUR'
  > & {
    IDEM_NEW_KEYS_PER_HOUR?: number | string;
  } = loadConfig(),
) {
  const config = env;
  return {
    perCustomer: parseWindow(env.IDEM_CUSTOMER_RATE_LIMIT || DEFAULT_CUSTOMER_RATE_LIMIT),
    perApiKey: parseWindow(env.IDEM_API_KEY_RATE_LIMIT || DEFAULT_API_KEY_RATE_LIMIT),
    newKeysPerHour: { points: Number(env.IDEM_NEW_KEYS_PER_HOUR || DEFAULT_NEW_KEYS_PER_HOUR), seconds: 3600 },
    recipientLookups: parseWindow(config.IDEM_RECIPIENT_LOOKUP_LIMIT || DEFAULT_RECIPIENT_LOOKUP_LIMIT),
    inboundTransfersPerHour: parseWindow(
      `${config.IDEM_INBOUND_TRANSFERS_PER_HOUR || DEFAULT_INBOUND_TRANSFERS_PER_HOUR}/3600`.replace(
        /^off\/3600$/,
        'off',
      ),
    ),
  };
}

// The budgets of the hot path (a request's key and customer, new commands) are leased: an instance
// reserves points in the rows above (`<name>:<key>`, a fixed window that restarts once `expire`,
// epoch ms, has passed) a few at a time and serves them from memory (lib/http/budget-leases.ts). A
// reservation grants only what the row has left, so no instance ever serves more than the limit.
// A statement locks its rows in the order of their keys (one order for every instance and every
// mix of requests in a batch), so two reservations never wait on each other in a cycle.
const RESERVE = `INSERT INTO api_rate_limits AS r (key, points, expire)
  SELECT k, n, e FROM unnest($1::text[], $2::int[], $3::bigint[]) AS t(k, n, e)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire <= $4 THEN EXCLUDED.points ELSE r.points + EXCLUDED.points END,
    expire = CASE WHEN r.expire <= $4 THEN EXCLUDED.expire ELSE r.expire END
  RETURNING key, points, expire`;

/** The reservation statement on `client` (exported for its test). */
export const reserveIn =
  (client: Db): Reserve =>
  async (unsorted, now) => {
    const reservations = [...unsorted].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const query = {
      text: RESERVE,
      values: [reservations.map((r) => r.key), reservations.map((r) => r.n), reservations.map((r) => r.expire), now],
    };
    const { rows } = await poolOf(client).query<{ key: string; points: number; expire: string }>(
      preparedStatements() ? { name: 'idem_reserve_budgets', ...query } : query,
    );
    return rows.map((r) => ({ key: r.key, points: Number(r.points), expire: Number(r.expire) }));
  };

/** The process's leases per database client (a singleton: Next bundles this module into several chunks). */
function leasesOf(client: Db): BudgetLeases {
  const all = singleton('budgetLeases', () => new WeakMap<object, BudgetLeases>());
  let found = all.get(client);
  if (!found) all.set(client, (found = new BudgetLeases(reserveIn(client), loadConfig().IDEM_BUDGET_LEASE_MS ?? 100)));
  return found;
}

/** Takes one point of each budget; the first budget (in the order given) that is over, or null. */
function takeMany(
  budgets: { name: string; window: Window | null; key: string }[],
  client: Db = db(),
): Promise<(Refusal & { name: string }) | null> {
  const counted = budgets.filter((b): b is Budget => b.window !== null);
  return counted.length === 0 ? Promise.resolve(null) : leasesOf(client).take(counted);
}

/**
 * One request of this caller: its API key's budget (API keys only) and its customer's, in one
 * statement; what is over says which. Both are counted even when one refuses.
 */
export async function requestBudgetRefusal(
  caller: { via: 'session'; customerId: string } | { via: 'api-key'; keyId: string; customerId: string },
): Promise<Response | null> {
  const limits = apiLimits();
  const refused = await takeMany([
    ...(caller.via === 'api-key' ? [{ name: 'api-key', window: limits.perApiKey, key: caller.keyId }] : []),
    { name: 'api-customer', window: limits.perCustomer, key: caller.customerId },
  ]);
  if (!refused) return null;
  return refused.name === 'api-key'
    ? tooManyRequests(`This API key is over its request limit; retry in ${refused.retryAfterSeconds} s.`, refused)
    : tooManyRequests(
        `This customer is over its API request limit (every key and session together); retry in ${refused.retryAfterSeconds} s.`,
        refused,
      );
}

/** One API request made with this API key (its id). */
const consumeKeyRequest = (keyId: string) => takeMany([{ name: 'api-key', window: apiLimits().perApiKey, key: keyId }]);

/** 429 problem+json with Retry-After. */
export const tooManyRequests = (detail: string, refusal: Refusal) =>
  problemResponse(problem('too-many-requests', detail), { 'retry-after': String(refusal.retryAfterSeconds) });

/** For every API route (customer and admin): one request of the caller's API key, or its 429. Sessions have no per-key budget. */
export async function keyBudgetRefusal(
  caller: { via: 'session' } | { via: 'api-key'; keyId: string },
): Promise<Response | null> {
  if (caller.via !== 'api-key') return null;
  const refused = await consumeKeyRequest(caller.keyId);
  return (
    refused &&
    tooManyRequests(`This API key is over its request limit; retry in ${refused.retryAfterSeconds} s.`, refused)
  );
}

/**
 * One new Idempotency-Key of this customer. Over the hour's budget, a key whose command is already
 * stored passes (its outcome is replayed, no row is added); any other key is refused.
 */
export async function consumeNewCommand(customerId: string, commandId: string): Promise<Refusal | null> {
  const refused = await takeMany([{ name: 'new-commands', window: apiLimits().newKeysPerHour, key: customerId }]);
  if (!refused) return null;
  return (await isStored(db(), commandId)) ? null : refused;
}

/** One point of one budget on `client`; a refusal says when the window ends. A database failure throws (answered 503). */
const take = (name: string, window: Window | null, key: string, client: Db = db()): Promise<Refusal | null> =>
  takeMany([{ name, window, key }], client);

/** One look-up of an account number by this customer (a transfer's review or the transfer itself). */
export const consumeRecipientLookup = (customerId: string) =>
  take('recipient-lookups', apiLimits().recipientLookups, customerId);

/** A transfer command from one customer into one account, and the database it is written to. */
export type InboundTransfer = { client: Db; customerId: string; toAccountId: string; commandId: string };
type InboundRefusal = Refusal & { perHour: number };
const INBOUND = 'inbound-transfers';
const inboundKey = (t: InboundTransfer) => `${t.customerId}>${t.toAccountId}`;

/**
 * One new transfer from this customer into this account (IDEM_INBOUND_TRANSFERS_PER_HOUR), counted
 * in the database the command is written to. A command already stored passes: its outcome is replayed.
 */
export async function consumeInboundTransfer(transfer: InboundTransfer): Promise<InboundRefusal | null> {
  const { client, commandId } = transfer;
  const window = apiLimits().inboundTransfersPerHour;
  const refused = await take(INBOUND, window, inboundKey(transfer), client);
  if (!refused || !window) return null;
  return (await isStored(client, commandId)) ? null : { ...refused, perHour: window.points };
}

const BUDGET_ROW = 'SELECT points, expire::text AS expire FROM api_rate_limits WHERE key = $1';

/**
 * Whether this customer's transfers into this account have used up the hour, looked at without
 * counting (a standing order's payment, which several instances may try at once: only the one
 * that records it counts it, countInboundTransfer). A command already stored passes.
 */
export async function inboundTransfersUsedUp(transfer: InboundTransfer): Promise<InboundRefusal | null> {
  const { client, commandId } = transfer;
  const window = apiLimits().inboundTransfersPerHour;
  if (!window) return null;
  const { rows } = await poolOf(client).query<{ points: number; expire: string }>(BUDGET_ROW, [
    `${INBOUND}:${inboundKey(transfer)}`,
  ]);
  const row = rows[0];
  const now = Date.now();
  if (!row || Number(row.expire) <= now || row.points < window.points) return null;
  if (await isStored(client, commandId)) return null;
  return { retryAfterSeconds: Math.max(1, Math.ceil((Number(row.expire) - now) / 1000)), perHour: window.points };
}

/** One transfer from this customer into this account, recorded already: counted, never refused. */
export async function countInboundTransfer(transfer: InboundTransfer): Promise<void> {
  await take(INBOUND, apiLimits().inboundTransfersPerHour, inboundKey(transfer), transfer.client);
}

/**
 * The budgets of the API for a server action (the forms are another door to the same commands):
 * one request of the customer, and with `commandId` one new command key. What is over says which.
 */
export async function actionBudgetRefusal(
  customerId: string,
  commandId: string | null,
): Promise<(Refusal & { over: 'requests' | 'new-commands' }) | null> {
  const limits = apiLimits();
  // Both budgets in one statement; a new-commands refusal still lets a stored command be replayed.
  const refused = await takeMany([
    { name: 'api-customer', window: limits.perCustomer, key: customerId },
    ...(commandId === null ? [] : [{ name: 'new-commands', window: limits.newKeysPerHour, key: customerId }]),
  ]);
  if (!refused) return null;
  if (refused.name === 'api-customer') return { retryAfterSeconds: refused.retryAfterSeconds, over: 'requests' };
  return (await isStored(db(), commandId!))
    ? null
    : { retryAfterSeconds: refused.retryAfterSeconds, over: 'new-commands' };
}
