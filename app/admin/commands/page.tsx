import type { Metadata } from 'next';
import Link from 'next/link';
import { CustomerCell } from '@/app/admin/event-table';
import { ResultCount } from '@/app/admin/components/result-count';
import { ShortId } from '@/app/admin/components/short-id';
import { TimeRangeFields } from '@/app/admin/components/time-range-fields';
import { UtcTime } from '@/app/admin/components/utc-time';
import { JsonDetails } from '@/app/admin/json-block';
import { commandAmountCents, ownersOfStreams } from '@/lib/admin/account-owners';
import { parseTimeRange, TIME_HINT } from '@/lib/admin/event-filters';
import { COMMAND_STATUSES, COMMAND_TYPES, decodeCursor, listCommands, readCursor } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';

export const metadata: Metadata = { title: 'Command log · Idem' };

export default async function CommandsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireAdmin();
  const statusParam = queryParam(params.status);
  const typeParam = queryParam(params.type);
  const status = COMMAND_STATUSES.find((s) => s === statusParam);
  const type = COMMAND_TYPES.find((t) => t === typeParam);
  const times = { from: queryParam(params.from) ?? '', to: queryParam(params.to) ?? '' };
  const range = parseTimeRange(times);
  const invalid = Object.keys(range.errors).length > 0;
  // A cursor no page made (changed by hand, cut off, or holding a NUL) is refused, never queried.
  const badCursor = [params.before, params.after].some((cursor) => readCursor(queryParam(cursor)) === 'invalid');
  const page = invalid
    ? null
    : await listCommands({
        status,
        type,
        ...range.filter,
        before: decodeCursor(queryParam(params.before)),
        after: decodeCursor(queryParam(params.after)),
      });
  const owners = page ? await ownersOfStreams(page.commands.flatMap((c) => c.streamIds)) : new Map();

  const link = (cursor: { before?: string; after?: string }) => {
    const query = new URLSearchParams();
    if (status) query.set('status', status);
    if (type) query.set('type', type);
    if (times.from) query.set('from', times.from);
    if (times.to) query.set('to', times.to);
    if (cursor.before) query.set('before', cursor.before);
    if (cursor.after) query.set('after', cursor.after);
    return `/admin/commands?${query}`;
  };

  return (
    <>
      <h1>Command log</h1>
      <form method="get" className="filters" aria-label="Filter commands">
        <div className="field">
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={status ?? ''}>
            <option value="">Any status</option>
            {COMMAND_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="type">Command type</label>
          <select id="type" name="type" defaultValue={type ?? ''}>
            <option value="">Any type</option>
            {COMMAND_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <TimeRangeFields values={times} errors={range.errors} />
        <div className="field">
          <button type="submit">Filter</button>
        </div>
        {status || type || times.from || times.to ? <Link href="/admin/commands">Clear filters</Link> : null}
      </form>
      {(statusParam && !status) || (typeParam && !type) ? (
        <p role="alert" className="status status-rejected">
          Unknown{' '}
          {statusParam && !status
            ? `status “${statusParam.slice(0, 40)}”`
            : `command type “${typeParam!.slice(0, 40)}”`}
          ; that filter is not applied.
        </p>
      ) : null}
      {badCursor ? (
        <p role="alert" className="status status-rejected" data-testid="bad-cursor">
          This page link is not valid (it was changed or cut off, or holds a control character); the newest commands are
          shown instead.
        </p>
      ) : null}
      {invalid ? (
        <p role="alert" className="status status-rejected">
          Correct the highlighted filters to see commands. Times are {TIME_HINT}.
        </p>
      ) : (
        <ResultCount shown={page!.commands.length} matching={page!.matching} noun="command" />
      )}
      {page && page.commands.length > 0 ? (
        <table className="events stack">
          <caption className="visually-hidden">Commands, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Command id</th>
              <th scope="col">Recorded (UTC)</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Account</th>
              <th scope="col">Customer</th>
              <th scope="col" className="num">
                Replays
              </th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {page.commands.map((c) => {
              const amount = commandAmountCents(c.outcome);
              const owner = owners.get(c.streamIds[0] ?? '') ?? null;
              return (
                <tr key={c.commandId} data-testid="command-row">
                  <td data-label="Command id">
                    <ShortId
                      id={c.commandId}
                      href={`/admin/commands/${encodeURIComponent(c.commandId)}`}
                      what="command id"
                    />
                  </td>
                  <td data-label="Recorded">
                    <UtcTime date={c.createdAt} />
                  </td>
                  <td data-label="Type">{c.type}</td>
                  <td data-label="Status">{c.status}</td>
                  <td data-label="Amount" className="num" data-testid="command-amount">
                    {amount === null ? <span className="muted">—</span> : formatUsd(amount)}
                  </td>
                  <td data-label="Account">
                    {c.streamIds.map((s) => {
                      const account = owners.get(s);
                      return (
                        <div key={s}>
                          <Link
                            href={`/admin/streams/${encodeURIComponent(s)}`}
                            className={account ? 'account-number' : undefined}
                          >
                            {account ? formatAccountNumber(account.accountNumber) : s}
                          </Link>
                        </div>
                      );
                    })}
                  </td>
                  <td data-label="Customer">
                    <CustomerCell owner={owner} />
                  </td>
                  <td data-label="Replays" className="num" data-testid="replay-count">
                    {c.replayCount}
                  </td>
                  <td data-label="Outcome">
                    <JsonDetails value={c.outcome} summary="JSON" label={`Outcome of command ${c.commandId}`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {page ? (
        <nav aria-label="Pages" className="pager">
          {page.newerCursor ? <Link href={link({ after: page.newerCursor })}>← Newer</Link> : <span />}
          {page.olderCursor ? <Link href={link({ before: page.olderCursor })}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </>
  );
}
