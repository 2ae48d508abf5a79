// Latency recording: HDR histograms (microseconds, 3 significant digits) and their summaries.
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

export function histogram(): Histogram {
  // 1 µs … 120 s; the pure-JS implementation (no WebAssembly start-up, plenty fast for our rates).
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 'packed',
  });
}

export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number };

/** Percentiles in milliseconds. */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => us / 1000;
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

export function merge(histograms: Histogram[]): Histogram {
  const total = histogram();
  for (const h of histograms) total.add(h);
  return total;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Histograms cross process boundaries as compressed base64 (HdrHistogram's own encoding). */
export const encode = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);
export const decode = (s: string): Histogram => hdr.decodeFromCompressedBase64(s, 'packed', false);
