import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Fragment } from 'react';
import { Field } from '@/app/components/field';
import { CustomerCell, eventColumns as c, EventTable } from '@/app/admin/event-table';
import { pickerValue } from '@/app/admin/components/time-range-fields';
import { UtcTime } from '@/app/admin/components/utc-time';
import { ownersOfStreams, type AccountOwner } from '@/lib/admin/account-owners';
import { parseTime, TIME_HINT } from '@/lib/admin/event-filters';
import { requireAdmin } from '@/lib/admin/require-admin';
import { decodeSegment, queryParam, type SearchParams } from '@/lib/admin/route-param';
import {
  changesBetween,
  stateAt,
  statesAfterEachEvent,
  type StateAfter,
  type StateField,
} from '@/lib/admin/time-travel';
import { db } from '@/lib/db/prisma';
import { formatUsd } from '@/lib/domain/money';
import { readStreamPage } from '@/lib/event-store';
import { fieldText, FIELD_LABELS, StateChanges } from './state-changes';

export const metadata: Metadata = { title: 'Stream · Idem' };

/** Events read for one page (time travel replays them in memory): a stream can be any length. */
const EVENTS_SHOWN = 2000;

type Travel = { row: StateAfter | null; heading: string; errors: { version?: string; at?: string } };

/** Where the admin asked to stand: `?version=n` or `?at=<UTC time>`; the latest version otherwise. */
function travel(rows: StateAfter[], params: SearchParams): Travel {
  const last = rows.at(-1)!;
  const latest = { row: last, heading: `Now: version ${last.event.version}`, errors: {} };
  const version = queryParam(params.version);
  const at = queryParam(params.at);
  if (version !== undefined) {
    const n = /^\d{1,9}$/.test(version) ? Number(version) : NaN;
    if (!(n >= 1 && n <= last.event.version))
      return { ...latest, errors: { version: `Choose a version from 1 to ${last.event.version}.` } };
    return { row: stateAt(rows, { version: n }), heading: `At version ${n}`, errors: {} };
  }
  if (at !== undefined) {
    const time = parseTime(at);
    if (!time) return { ...latest, errors: { at: `The moment must be ${TIME_HINT}.` } };
    // Inclusive at the precision given, like the log's filters: "14:30" covers the whole minute.
    const row = stateAt(rows, { moment: time.end });
    const when = pickerValue(at, 'start').replace('T', ' ');
    return {
      row,
      heading: row ? `At ${when} UTC: version ${row.event.version}` : `At ${when} UTC: before the first event`,
      errors: {},
    };
  }
  return latest;
}

const STATE_FIELDS: StateField[] = ['status', 'accountNumber', 'owner', 'customerId', 'balanceCents', 'openedAt'];

function StatePanel({ travelled, owner }: { travelled: Travel; owner: AccountOwner | null }) {
  const state = travelled.row?.state ?? null;
  return (
    <section className="card" aria-labelledby="travel-heading" data-testid="travel-state">
      <h2 id="travel-heading">{travelled.heading}</h2>
      {!travelled.row ? (
        <p>The account did not exist yet.</p>
      ) : !state ? (
        <p className="field-error">The state cannot be computed here: {travelled.row.error}</p>
      ) : (
        <>
          <p className="muted">
            After {travelled.row.event.type} (event {String(travelled.row.event.globalPosition)}) recorded{' '}
            <UtcTime date={travelled.row.event.createdAt} />.
          </p>
          <dl className="facts">
            {STATE_FIELDS.map((field) => (
              <Fragment key={field}>
                <dt>{FIELD_LABELS[field]}</dt>
                <dd data-testid={`travel-${field}`}>
                  {fieldText(
                    field,
                    field === 'status' ? state.status : state.status === 'open' ? state[field] : null,
                    owner,
                  )}
                </dd>
              </Fragment>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

export default async function StreamPage({
  params,
  searchParams,
}: {
  params: Promise<{ streamId: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const raw = (await params).streamId;
  const query = await searchParams;
  await requireAdmin();
  const streamId = decodeSegment(raw);
  const { events, more } =
    streamId !== null && streamId.length <= 300
      ? await readStreamPage(db(), streamId, 0, EVENTS_SHOWN)
      : { events: [], more: false };
  if (streamId === null || events.length === 0) notFound();
  const rows = statesAfterEachEvent(streamId, events);
  const owner = (await ownersOfStreams([streamId])).get(streamId) ?? null;
  const travelled = travel(rows, query);
  const shownVersion = travelled.row?.event.version ?? 0;
  const base = `/admin/streams/${encodeURIComponent(streamId)}`;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/streams">Streams</Link> ·{' '}
        <Link href={`/admin/events?stream=${encodeURIComponent(streamId)}`}>in the event history</Link>
      </p>
      <h1>Stream {streamId}</h1>
      {more ? (
        <p className="muted" data-testid="stream-truncated">
          This stream has more than {EVENTS_SHOWN} events: the first {EVENTS_SHOWN} are shown here;{' '}
          <Link href={`/admin/events?stream=${encodeURIComponent(streamId)}`}>the event history</Link> pages through all
          of them.
        </p>
      ) : null}
      {owner ? (
        <dl className="details">
          <dt>Customer</dt>
          <dd>
            <CustomerCell owner={owner} />
          </dd>
          <dt>Balance now</dt>
          <dd>{formatUsd(owner.balanceCents)}</dd>
        </dl>
      ) : null}
      <h2>Time travel</h2>
      <div className="filters">
        <form method="get" action={base} className="filters" aria-label="State at a version">
          <Field
            id="version"
            name="version"
            label="Version"
            type="number"
            min={1}
            max={events.at(-1)!.version}
            defaultValue={queryParam(query.version) ?? ''}
            error={travelled.errors.version}
            required
          />
          <div className="field">
            <button type="submit">Show version</button>
          </div>
        </form>
        <form method="get" action={base} className="filters" aria-label="State at a moment">
          <Field
            id="at"
            name="at"
            label="Moment (UTC)"
            type="datetime-local"
            step={1}
            defaultValue={pickerValue(queryParam(query.at) ?? '', 'start')}
            error={travelled.errors.at}
            required
          />
          <div className="field">
            <button type="submit">Show moment</button>
          </div>
        </form>
        {queryParam(query.version) || queryParam(query.at) ? <Link href={base}>Back to now</Link> : null}
      </div>
      <StatePanel travelled={travelled} owner={owner} />
      <h2>Events</h2>
      <p className="muted">
        Oldest first: what each event changed in the aggregate (the decider’s own evolve, replayed). Later events than
        the state shown are dimmed.
      </p>
      <EventTable
        events={rows.map(({ event, before, state, error }) => ({ ...event, before, state, error }))}
        columns={[
          {
            header: 'Version',
            numeric: true,
            cell: (e) => (
              <Link href={`${base}?version=${e.version}#v${e.version}`} aria-label={`State at version ${e.version}`}>
                {e.version}
              </Link>
            ),
          },
          c.position,
          c.type,
          c.time,
          c.command,
          {
            header: 'Changes',
            testId: 'changes',
            cell: ({ before, state, error }) =>
              error ? (
                <span className="field-error">{error}</span>
              ) : (
                <StateChanges changes={changesBetween(before, state)} owner={owner} />
              ),
          },
          {
            header: 'Balance after',
            numeric: true,
            testId: 'balance-after',
            cell: ({ state }) => (state?.status === 'open' ? formatUsd(state.balanceCents) : '—'),
          },
        ]}
        rowTestId="stream-row"
        rowId={(e) => `v${e.version}`}
        rowClass={(e) =>
          e.version === shownVersion ? 'travel-here' : e.version > shownVersion ? 'travel-later' : undefined
        }
        caption="Events of the stream, oldest first"
      />
    </>
  );
}
