import type { Metadata } from 'next';
import { connection } from 'next/server';
import { UtcTime } from '@/app/admin/components/utc-time';
import { requireAdmin } from '@/lib/admin/require-admin';
import { withPgClient } from '@/lib/db/pg-client';
import { projectionStatuses } from '@/lib/projections/status';
import { ProjectionControls } from './projection-controls';

export const metadata: Metadata = { title: 'Projections · Idem' };

export default async function ProjectionsPage() {
  await connection();
  await requireAdmin();
  const statuses = await withPgClient(projectionStatuses);
  const head = statuses.find((s) => s.kind === 'inline')?.position ?? '0';
  return (
    <>
      <h1>Projections</h1>
      <p className="muted">
        Read models derived from the events. Verify compares a projection with a fresh replay of the log and lists every
        difference; Rebuild recomputes it from the events while the app keeps serving, then swaps it in atomically.
      </p>
      {statuses.map((s) => (
        <section key={s.name} className="card projection" aria-labelledby={`projection-${s.name}`}>
          <h2 id={`projection-${s.name}`}>{s.name}</h2>
          <p className="muted">{s.description}</p>
          <dl className="facts">
            <dt>Rows</dt>
            <dd>{s.rows}</dd>
            <dt>Position</dt>
            <dd>{s.position}</dd>
            <dt>Lag</dt>
            <dd data-testid={`projection-lag-${s.name}`}>{s.kind === 'inline' ? '0 (inline)' : `${s.lag} events`}</dd>
            {s.kind === 'async' ? (
              <>
                <dt>Events processed</dt>
                <dd>{s.eventsProcessed}</dd>
                <dt>Updated</dt>
                <dd>{s.updatedAt ? <UtcTime date={s.updatedAt} /> : '—'}</dd>
                <dt>Last error</dt>
                <dd>
                  {s.lastError ? (
                    <>
                      {s.lastError} ({s.lastErrorAt ? <UtcTime date={s.lastErrorAt} /> : null})
                    </>
                  ) : (
                    'none'
                  )}
                </dd>
              </>
            ) : null}
          </dl>
          <ProjectionControls name={s.name} headPosition={head} />
        </section>
      ))}
    </>
  );
}
