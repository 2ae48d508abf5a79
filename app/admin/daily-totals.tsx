import { withPgClient } from '@/lib/db/pg-client';
import { formatUsd } from '@/lib/domain/money';
import { overallDailyTotals } from '@/lib/projections/status';

/** Overall money in and out per day, from the asynchronous daily-totals projection: a chart and its table. */
export async function DailyTotals() {
  const days = await withPgClient((c) => overallDailyTotals(c, 14));
  if (days.length === 0) return <p className="muted">No activity projected yet.</p>;
  const max = Math.max(1, ...days.flatMap((d) => [d.depositsCents, d.withdrawalsCents]));
  const width = 640;
  const height = 180;
  const slot = width / days.length;
  const bar = Math.min(40, Math.max(2, slot / 2 - 4));
  const y = (cents: number) => height - (cents / max) * (height - 10);
  return (
    <>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label="Deposits and withdrawals per day" className="chart">
        {days.map((d, i) => (
          <g key={d.day}>
            <rect x={i * slot + 2} y={y(d.depositsCents)} width={bar} height={height - y(d.depositsCents)} className="bar-in" />
            <rect x={i * slot + 2 + bar + 2} y={y(d.withdrawalsCents)} width={bar} height={height - y(d.withdrawalsCents)} className="bar-out" />
            <text x={i * slot + 2 + bar + 1} y={height + 14} textAnchor="middle" fontSize="10">
              {d.day.slice(5)}
            </text>
          </g>
        ))}
      </svg>
      <p className="muted">
        <span className="legend legend-in" /> deposits <span className="legend legend-out" /> withdrawals
      </p>
      <table data-testid="daily-totals">
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col" className="num">Deposits</th>
            <th scope="col" className="num">Withdrawals</th>
            <th scope="col" className="num">Transfers</th>
            <th scope="col" className="num">Operations</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td className="num">{formatUsd(d.depositsCents)}</td>
              <td className="num">{formatUsd(d.withdrawalsCents)}</td>
              <td className="num">{formatUsd(d.transfersCents)}</td>
              <td className="num">{d.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
