// Grouped bar charts as standalone SVG (no dependencies): one group per x label, one bar per series.

export type BarChart = {
  title: string;
  yLabel: string;
  groups: string[];
  series: { name: string; values: (number | null)[] }[];
  log?: boolean;
  /** Format of the value printed above each bar. */
  format?: (v: number) => string;
};

const COLORS = ['#7f8c8d', '#2980b9', '#c0392b', '#27ae60', '#8e44ad'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(chart: BarChart): string {
  const width = 900;
  const height = 420;
  const m = { top: 50, right: 20, bottom: 80, left: 70 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const values = chart.series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
  const max = Math.max(...values, 1);
  const min = chart.log ? Math.min(...values, max) : 0;
  const lo = chart.log ? 10 ** Math.floor(Math.log10(min)) : 0;
  const hi = chart.log ? 10 ** Math.ceil(Math.log10(max)) : niceCeil(max);
  const y = (v: number) =>
    chart.log
      ? m.top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH
      : m.top + plotH - (v / hi) * plotH;
  const format = chart.format ?? ((v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(chart.title)}</text>`,
  );
  // y axis and grid
  const ticks = chart.log ? logTicks(lo, hi) : Array.from({ length: 6 }, (_, i) => (hi / 5) * i);
  for (const t of ticks) {
    const ty = y(t || (chart.log ? lo : 0));
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${ty}" y2="${ty}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${ty + 4}" text-anchor="end">${esc(format(t))}</text>`);
  }
  out.push(
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`,
  );
  // bars
  const groupW = plotW / chart.groups.length;
  const barW = Math.min(40, (groupW * 0.8) / chart.series.length);
  chart.groups.forEach((group, g) => {
    const x0 = m.left + g * groupW + (groupW - barW * chart.series.length) / 2;
    chart.series.forEach((series, s) => {
      const v = series.values[g];
      if (v === null || v === undefined || !(v > 0)) return;
      const top = y(v);
      const x = x0 + s * barW;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(m.top + plotH - top).toFixed(1)}" fill="${COLORS[s % COLORS.length]}"><title>${esc(`${series.name}, ${group}: ${format(v)}`)}</title></rect>`,
      );
      out.push(
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10">${esc(format(v))}</text>`,
      );
    });
    out.push(
      `<text x="${m.left + g * groupW + groupW / 2}" y="${m.top + plotH + 16}" text-anchor="middle">${esc(group)}</text>`,
    );
  });
  out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`);
  // legend
  chart.series.forEach((series, s) => {
    // Three legend entries per row.
    const lx = m.left + (s % 3) * 270;
    const ly = height - 36 + Math.floor(s / 3) * 18;
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[s % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly}">${esc(series.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
  return ticks;
}
