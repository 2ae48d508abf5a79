import { dailySeries, type DayTotals } from '@/lib/admin/dashboard';
import { withPgClient } from '@/lib/db/pg-client';
import { formatUsd } from '@/lib/domain/money';

// Money in and out per UTC day, from the asynchronous daily-totals projection: a server-rendered
// SVG bar chart (axes, gridlines, a value on every bar, and a fill pattern per series so that
// colour is never the only difference), and the same numbers as a table.

const SERIES = [
  { key: 'deposits', label: 'Deposits', pattern: 'solid' },
  { key: 'withdrawals', label: 'Withdrawals', pattern: 'hatch' },
  { key: 'transfers', label: 'Transfers', pattern: 'dots' },
] as const;

const H = 260;
const M = { top: 48, right: 12, bottom: 34, left: 64 };

/** A round axis maximum (1, 2 or 5 × a power of ten) at or above the largest value. */
function niceMax(cents: number): number {
  const dollars = Math.max(cents / 100, 1);
  const power = 10 ** Math.floor(Math.log10(dollars));
  const step = [1, 2, 5, 10].find((s) => s * power >= dollars)!;
  return step * power * 100;
}

/** "$1.2k", "$35", "$0": bar labels short enough to sit above a bar. */
function compact(cents: number): string {
  const dollars = cents / 100;
  if (dollars >= 1_000_000) return `$${(dollars / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (dollars >= 1_000) return `$${(dollars / 1_000).toFixed(1).replace(/\.0$/, '')}k`;
  return `$${Math.round(dollars)}`;
}

/** The fill patterns, once per page (ids are document-wide); every chart and swatch refers to them. */
function Patterns() {
  return (
    <svg width="0" height="0" aria-hidden="true" className="chart-patterns">
      <defs>
        <pattern id="fill-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#fce8e6" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" strokeWidth="3" />
        </pattern>
        <pattern id="fill-dots" width="5" height="5" patternUnits="userSpaceOnUse">
          <rect width="5" height="5" fill="#e8f0fe" />
          <circle cx="2.5" cy="2.5" r="1.5" fill="#0b57d0" />
        </pattern>
      </defs>
    </svg>
  );
}

const fillOf = (pattern: (typeof SERIES)[number]['pattern']) =>
  pattern === 'solid' ? '#146c2e' : `url(#fill-${pattern})`;
const strokeOf = (pattern: (typeof SERIES)[number]['pattern']) =>
  pattern === 'solid' ? '#146c2e' : pattern === 'hatch' ? '#b3261e' : '#0b57d0';

function Swatch({ pattern }: { pattern: (typeof SERIES)[number]['pattern'] }) {
  return (
    // The fill patterns are the chart's (one set of ids per page).
    <svg width="16" height="16" aria-hidden="true">
      <rect x="1" y="1" width="14" height="14" fill={fillOf(pattern)} stroke={strokeOf(pattern)} />
    </svg>
  );
}

/** One chart; the page draws a 14-day one for wide screens and a 7-day one, larger-lettered, for phones. */
function Chart({ days, width, id, className }: { days: DayTotals[]; width: number; id: string; className: string }) {
  const W = width;
  // Pixels and short labels only: a double's rounding past 2^53 cents is invisible here; the table is exact.
  const max = niceMax(Math.max(0, ...days.flatMap((d) => SERIES.map((s) => Number(d[s.key].cents)))));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / days.length;
  const bar = Math.max(3, Math.min(16, (slot - 8) / SERIES.length));
  const y = (cents: number) => M.top + plotH - (cents / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * max);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className={`chart ${className}`} role="img" aria-labelledby={id}>
      <title id={id}>
        Deposits, withdrawals and transfers per UTC day, in US dollars (the table below has the same numbers)
      </title>
      {ticks.map((t) => (
        <g key={t}>
          <line className="grid" x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
          <text x={M.left - 6} y={y(t) + 4} textAnchor="end">
            {compact(t)}
          </text>
        </g>
      ))}
      <line className="axis" x1={M.left} x2={M.left} y1={M.top} y2={M.top + plotH} />
      <line className="axis" x1={M.left} x2={W - M.right} y1={M.top + plotH} y2={M.top + plotH} />
      {days.map((d, i) => {
        const x0 = M.left + i * slot + (slot - bar * SERIES.length) / 2;
        return (
          <g key={d.day}>
            {SERIES.map((s, j) => {
              const cents = Number(d[s.key].cents);
              const top = y(cents);
              return (
                <g key={s.key}>
                  {cents > 0 ? (
                    <rect
                      x={x0 + j * bar}
                      y={top}
                      width={bar - 1}
                      height={M.top + plotH - top}
                      fill={fillOf(s.pattern)}
                      stroke={strokeOf(s.pattern)}
                    />
                  ) : null}
                  {cents > 0 ? (
                    <text
                      x={x0 + j * bar + bar / 2}
                      y={top - 4}
                      textAnchor="start"
                      transform={`rotate(-60 ${x0 + j * bar + bar / 2} ${top - 4})`}
                      fontSize="9"
                      className="bar-value"
                    >
                      {compact(cents)}
                    </text>
                  ) : null}
                </g>
              );
            })}
            <text x={M.left + i * slot + slot / 2} y={H - M.bottom + 16} textAnchor="middle">
              {d.day.slice(5)}
            </text>
          </g>
        );
      })}
      <text x={M.left + plotW / 2} y={H - 4} textAnchor="middle">
        Day (UTC, month-day)
      </text>
    </svg>
  );
}

export async function DailyTotals() {
  const days = await withPgClient((c) => dailySeries(c, 14));
  const any = days.some((d) => SERIES.some((s) => d[s.key].count > 0));
  return (
    <>
      {any ? (
        <>
          <Patterns />
          <Chart days={days} width={720} id="daily-chart-wide" className="chart-wide" />
          <Chart days={days.slice(-7)} width={400} id="daily-chart-narrow" className="chart-narrow" />
          <ul className="chart-legend" aria-label="Legend">
            {SERIES.map((s) => (
              <li key={s.key}>
                <Swatch pattern={s.pattern} />
                {s.label} ({s.pattern === 'solid' ? 'solid' : s.pattern === 'hatch' ? 'hatched' : 'dotted'})
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">No money moved in the last 14 days (or the projection has not caught up yet).</p>
      )}
      <div className="table-scroll" role="region" aria-label="Daily totals table" tabIndex={0}>
        <table className="stack" data-testid="daily-totals">
          <caption className="visually-hidden">Daily totals, last 14 UTC days</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" className="num">
                Deposits
              </th>
              <th scope="col" className="num">
                Withdrawals
              </th>
              <th scope="col" className="num">
                Transfers
              </th>
            </tr>
          </thead>
          <tbody>
            {[...days].reverse().map((d) => (
              <tr key={d.day}>
                <td data-label="Day (UTC)">
                  <time dateTime={d.day}>{d.day}</time>
                </td>
                {SERIES.map((s) => (
                  <td key={s.key} className="num" data-label={s.label}>
                    {formatUsd(d[s.key].cents)} <span className="muted">× {d[s.key].count}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
