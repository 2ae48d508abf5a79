import 'server-only';
import { db, poolOf } from '@/lib/db/prisma';
import { readDb } from '@/lib/db/read-replica';
import { ACCOUNT_EVENT_TYPES } from '@/lib/accounts/domain/account';
import { writtenDataOf } from '@/lib/accounts/domain/upcast';
import { isAccountCommandType, outcomeOfCommand, type AccountFactsOf } from '@/lib/accounts/outcome-codecs';
import { commandKeyOf, streamIsAnyOf } from '@/lib/event-store';
import type { Prisma } from '@/lib/generated/prisma/client';
import { textProblem } from '@/lib/text/plain-text';

// Read side of the admin console: single events, the command log, and the global log for the API.
// The console's pages may read from a replica (lib/db/read-replica.ts); the global log for the API
// (a follower's cursor) always from the primary.

export const COMMAND_TYPES = ['OpenAccount', 'DepositMoney', 'WithdrawMoney', 'TransferMoney'] as const;
export const COMMAND_STATUSES = ['accepted', 'rejected'] as const;
const MAX_POSITION = 2n ** 63n - 1n;
/** Result counts stop here: counting a whole large log for a page header is not worth a scan. */
export const COUNT_CAP = 10_000;

/** A global position from text: digits only, within bigint range. */
export function parsePosition(text: string | undefined): bigint | undefined {
  if (!text || !/^\d{1,19}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value <= MAX_POSITION ? value : undefined;
}

// An event's row links its command by key (lib/event-store/command-key.ts); its command id is read
// from the command's row, with the event.
const WITH_COMMAND_ID = { command: { select: { commandId: true } } } as const;
const withCommandId = <T extends EventRow & { command: { commandId: string } }>({ command, ...event }: T) => ({
  ...asWritten(event),
  commandId: command.commandId,
});

type EventRow = { type: string; data: unknown; streamId: string; createdAt: Date };
/** An event's data as it was written: what its stored form leaves out put back from its row (writtenDataOf). */
export const asWritten = <T extends EventRow>(event: T): T => ({ ...event, data: writtenDataOf(event) as T['data'] });

export async function getEvent(globalPosition: bigint) {
  const event = await (
    await readDb()
  ).event.findUnique({
    where: { globalPosition },
    include: { command: { select: { commandId: true, type: true, status: true } } },
  });
  return event && { ...asWritten(event), commandId: event.command.commandId };
}

/** The types of these commands (an event's metadata names its command's type: eventMetadataOf). */
export async function commandTypesOf(commandIds: string[]): Promise<Map<string, string>> {
  if (commandIds.length === 0) return new Map();
  const rows = await db().command.findMany({
    where: { commandKey: { in: [...new Set(commandIds)].map(commandKeyOf) } },
    select: { commandId: true, type: true },
  });
  return new Map(rows.map((r) => [r.commandId, r.type]));
}

/** Events of the global log after `after`, ascending; `next` is set when more are already there. */
export async function eventsAfter(after: bigint, limit: number) {
  const rows = (
    await db().event.findMany({
      where: { globalPosition: { gt: after } },
      orderBy: { globalPosition: 'asc' },
      take: limit + 1,
      include: WITH_COMMAND_ID,
    })
  ).map(withCommandId);
  const events = rows.slice(0, limit);
  return { events, next: rows.length > limit ? events.at(-1)!.globalPosition : null };
}

/** Commands newest first. The cursor is (created_at, command_id): unique and totally ordered. */
export type CommandCursor = { createdAt: Date; commandId: string };

const encodeCursor = (c: CommandCursor) =>
  Buffer.from(`${c.createdAt.toISOString()} ${c.commandId}`).toString('base64url');

export function decodeCursor(text: string | undefined): CommandCursor | undefined {
  const decoded = readCursor(text);
  return decoded === 'invalid' ? undefined : decoded;
}

/**
 * A page link's cursor, or 'invalid' when one was given that no page made: malformed, or holding a
 * control character (PostgreSQL cannot even compare text with a NUL), so it never reaches a query.
 */
export function readCursor(text: string | undefined): CommandCursor | undefined | 'invalid' {
  if (!text) return undefined;
  if (text.length > 400) return 'invalid';
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const space = raw.indexOf(' ');
  const createdAt = new Date(raw.slice(0, space));
  const commandId = raw.slice(space + 1);
  if (space <= 0 || Number.isNaN(createdAt.getTime()) || textProblem(commandId)) return 'invalid';
  return { createdAt, commandId };
}

const olderThan = (c: CommandCursor): Prisma.CommandWhereInput => ({
  OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, commandId: { lt: c.commandId } }],
});
const newerThan = (c: CommandCursor): Prisma.CommandWhereInput => ({
  OR: [{ createdAt: { gt: c.createdAt } }, { createdAt: c.createdAt, commandId: { gt: c.commandId } }],
});

export async function listCommands(query: {
  status?: string;
  type?: string;
  from?: Date;
  to?: Date;
  before?: CommandCursor;
  after?: CommandCursor;
  limit?: number;
}) {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const where: Prisma.CommandWhereInput = {
    ...(query.status ? { status: query.status } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.from || query.to
      ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
      : {}),
  };
  const towardsNewer = query.after !== undefined && query.before === undefined;
  const direction = towardsNewer ? 'asc' : 'desc';
  const cursor = towardsNewer ? newerThan(query.after!) : query.before ? olderThan(query.before) : {};
  const rows = await (
    await readDb()
  ).command.findMany({
    where: { AND: [where, cursor] },
    orderBy: [{ createdAt: direction }, { commandId: direction }],
    take: limit + 1,
    include: { replays: true },
  });
  const { page, more } = keysetPage(rows, limit, towardsNewer);
  const first = page[0];
  const last = page.at(-1);
  const exists = async (extra: Prisma.CommandWhereInput) =>
    (await (await readDb()).command.count({ where: { AND: [where, extra] }, take: 1 })) > 0;
  const [newer, older, matching] = await Promise.all([
    first ? (towardsNewer ? more : exists(newerThan(first))) : false,
    last ? (!towardsNewer ? more : exists(olderThan(last))) : false,
    (await readDb()).command.count({ where, take: COUNT_CAP + 1 }),
  ]);
  const accountOf = await accountFactsFor(page);
  return {
    // Each outcome as its replays answer it (the row may store a leaner form: lib/accounts/outcome-codecs.ts).
    commands: page.map((c) => ({
      ...withReplays(c),
      fingerprint: hex(c.fingerprint),
      outcome: outcomeOfCommand(c, accountOf),
    })),
    matching,
    newerCursor: newer && first ? encodeCursor(first) : undefined,
    olderCursor: older && last ? encodeCursor(last) : undefined,
  };
}

const ACCOUNT_STREAM = /^account-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The number and holder of the accounts these commands name: an account command's stored outcome
 * takes them from its account (lib/accounts/outcome-codecs.ts), here from the accounts' rows.
 */
async function accountFactsFor(commands: { type: string; streamIds: string[] }[]): Promise<AccountFactsOf> {
  const ids = new Set(
    commands
      .filter((c) => isAccountCommandType(c.type))
      .flatMap((c) => c.streamIds.flatMap((s) => ACCOUNT_STREAM.exec(s)?.[1] ?? [])),
  );
  const rows =
    ids.size === 0
      ? []
      : await (
          await readDb()
        ).accountBalance.findMany({
          where: { accountId: { in: [...ids] } },
          select: { accountId: true, accountNumber: true, owner: true },
        });
  const facts = new Map(rows.map((r) => [r.accountId, { accountNumber: r.accountNumber, owner: r.owner }]));
  return (accountId) => facts.get(accountId);
}

/** A command with its replays counted (0 and no time when it was never replayed). */
function withReplays<C extends { replays: { replayCount: number; lastReplayedAt: Date } | null }>({
  replays,
  ...command
}: C) {
  return { ...command, replayCount: replays?.replayCount ?? 0, lastReplayedAt: replays?.lastReplayedAt ?? null };
}

/** A fingerprint as the app computes it (SHA-256 in hex); stored as its 32 bytes. */
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export async function getCommand(commandId: string) {
  const commandKey = commandKeyOf(commandId);
  const command = await (await readDb()).command.findUnique({ where: { commandKey }, include: { replays: true } });
  if (!command) return null;
  const events = await (await readDb()).event.findMany({ where: { commandKey }, orderBy: { globalPosition: 'asc' } });
  return {
    command: {
      ...withReplays(command),
      fingerprint: hex(command.fingerprint),
      outcome: outcomeOfCommand(command, await accountFactsFor([command])),
    },
    events: events.map((e) => ({ ...asWritten(e), commandId })),
  };
}

/** `streams`: events of these streams only (an empty list matches nothing). */
export type EventFilter = { streams?: string[]; type?: string; commandId?: string; from?: Date; to?: Date };

/**
 * The global log, newest first, one page at a time. The cursor is the global position: `before`
 * pages towards older events, `after` towards newer ones; filters narrow by stream, type, command id
 * and time (`from`/`to` inclusive).
 */
export async function listEvents(query: EventFilter & { before?: bigint; after?: bigint; limit?: number }) {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const towardsNewer = query.after !== undefined && query.before === undefined;
  const find = query.streams ? await byStreams(query) : await byPrisma(query);
  const rows = await find.page(
    towardsNewer ? { gt: query.after } : query.before !== undefined ? { lt: query.before } : {},
    towardsNewer ? 'asc' : 'desc',
    limit + 1,
  );
  const { page, more } = keysetPage(rows, limit, towardsNewer);
  const first = page[0]?.globalPosition;
  const last = page.at(-1)?.globalPosition;
  const [newer, older, matching] = await Promise.all([
    first === undefined ? false : towardsNewer ? more : find.any({ gt: first }),
    last === undefined ? false : !towardsNewer ? more : find.any({ lt: last }),
    find.count(COUNT_CAP + 1),
  ]);
  return {
    events: page,
    matching,
    newerCursor: newer ? first : undefined,
    olderCursor: older ? last : undefined,
  };
}

/** The event types the domain can write, for the admin filter (no scan of the log needed). */
export const EVENT_TYPES = ACCOUNT_EVENT_TYPES;

/** A keyset page fetched with `take: limit + 1`: at most `limit` rows, newest first, and whether more lie beyond. */
function keysetPage<T>(rows: T[], limit: number, towardsNewer: boolean): { page: T[]; more: boolean } {
  const page = rows.slice(0, limit);
  if (towardsNewer) page.reverse();
  return { page, more: rows.length > limit };
}

export type PositionBound = { gt?: bigint; lt?: bigint };
const positionWhere = (bound: PositionBound): Prisma.EventWhereInput =>
  bound.gt === undefined && bound.lt === undefined ? {} : { globalPosition: bound };
type EventFinder = {
  page(bound: PositionBound, direction: 'asc' | 'desc', take: number): Promise<ReturnType<typeof withCommandId>[]>;
  any(bound: PositionBound): Promise<boolean>;
  count(cap: number): Promise<number>;
};

const pageOf = async (where: Prisma.EventWhereInput, direction: 'asc' | 'desc', take: number) =>
  (
    await (
      await readDb()
    ).event.findMany({ where, orderBy: { globalPosition: direction }, take, include: WITH_COMMAND_ID })
  ).map(withCommandId);

async function byPrisma(query: EventFilter): Promise<EventFinder> {
  const where: Prisma.EventWhereInput = {
    ...(query.type ? { type: query.type } : {}),
    ...(query.commandId ? { commandKey: commandKeyOf(query.commandId) } : {}),
    ...(query.from || query.to
      ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
      : {}),
  };
  const client = await readDb();
  return {
    page: (bound, direction, take) => pageOf({ ...where, ...positionWhere(bound) }, direction, take),
    any: async (bound) => (await client.event.count({ where: { ...where, ...positionWhere(bound) }, take: 1 })) > 0,
    count: (cap) => client.event.count({ where, take: cap }),
  };
}

/** The conditions of a filter by streams in SQL, with their values. */
function streamConditions(query: EventFilter): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const at = (value: unknown) => `$${values.push(value)}`;
  const conditions = [streamIsAnyOf('stream_id', at(query.streams ?? []))];
  if (query.type) conditions.push(`type = ${at(query.type)}`);
  if (query.commandId) conditions.push(`command_key = ${at(commandKeyOf(query.commandId))}::uuid`);
  if (query.from) conditions.push(`created_at >= ${at(query.from)}`);
  if (query.to) conditions.push(`created_at <= ${at(query.to)}`);
  return { where: conditions.join(' AND '), values };
}

/** The positions of a page of events of some streams (exported for the plan tests). */
export function streamPageSql(query: EventFilter, bound: PositionBound, direction: 'asc' | 'desc', take: number) {
  const { where, values } = streamConditions(query);
  const conditions = [where];
  if (bound.gt !== undefined) conditions.push(`global_position > $${values.push(bound.gt.toString())}::bigint`);
  if (bound.lt !== undefined) conditions.push(`global_position < $${values.push(bound.lt.toString())}::bigint`);
  return {
    text: `SELECT global_position::text AS p FROM events WHERE ${conditions.join(' AND ')} ORDER BY global_position ${direction} LIMIT ${take}`,
    values,
  };
}

/**
 * Events of some streams: found in SQL, through the events' stream index, which is keyed by the
 * stream's key (lib/event-store/stream-key.ts), a condition Prisma cannot say; the page's events are
 * then read by their positions.
 */
async function byStreams(query: EventFilter): Promise<EventFinder> {
  const pool = poolOf(await readDb());
  const positions = async (bound: PositionBound, direction: 'asc' | 'desc', take: number) =>
    (await pool.query<{ p: string }>(streamPageSql(query, bound, direction, take))).rows.map((r) => BigInt(r.p));
  return {
    async page(bound, direction, take) {
      const found = await positions(bound, direction, take);
      return found.length === 0 ? [] : pageOf({ globalPosition: { in: found } }, direction, take);
    },
    any: async (bound) => (await positions(bound, 'asc', 1)).length > 0,
    async count(cap) {
      const { where, values } = streamConditions(query);
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM events WHERE ${where} LIMIT ${cap}) AS matching`,
        values,
      );
      return rows[0]!.n;
    },
  };
}
