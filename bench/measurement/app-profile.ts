// Splits a `next start` instance's CPU between Next.js and Idem, from a V8 CPU profile written with
// --cpu-prof. The server's chunks are bundles: each frame is mapped back to its source file through
// the chunk's source map (.js.map next to it), then a sample goes to the innermost frame on its
// stack that belongs to one side: Idem (lib/, app/, zod, Prisma, pg) or Next.js (next, react, and
// Node's HTTP server). Samples with neither (GC, the V8 runtime) are reported as unattributed.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CpuProfile } from '../suites/profile';

/** Shares of the profiled CPU; `auth` (the API-key check: better-auth, lib/auth and its Prisma queries) is counted in `idem` too. */
export type AppCpuShares = { next: number; idem: number; auth: number; unattributed: number; samples: number };

type Side = 'next' | 'idem' | 'auth' | null;

function sideOfSource(source: string): Side {
  // The withdrawal path's only Prisma queries are the API-key check's (the engine runs plain pg).
  if (/node_modules\/@prisma\//.test(source) || source.includes('/lib/generated/prisma/')) return 'auth';
  if (
    /node_modules\/(better-auth|@better-auth|better-call|@better-fetch|jose|@noble)\//.test(source) ||
    /(^|\/)lib\/auth\//.test(source)
  )
    return 'auth';
  if (/(^|\/)(lib|app)\//.test(source) && !source.includes('node_modules')) return 'idem';
  if (
    /node_modules\/(zod|@prisma|pg|pg-[a-z]+|postgres-[a-z]+|@hookform|react-hook-form)\//.test(source) ||
    source.includes('/lib/generated/prisma/')
  )
    return 'idem';
  if (/node_modules\/(next|react|react-dom|react-server-dom-[a-z-]+|scheduler|@next|styled-jsx|@swc)\//.test(source))
    return 'next';
  return null;
}

/**
 * A frame's original source: through its chunk's source map for the app's build (null where the map
 * names none), else its own url. The maps are read once per chunk.
 */
function sourceMapper(): (url: string, lineNumber: number, columnNumber?: number) => string | null {
  const maps = new Map<string, SourceMap | null>();
  return (url, lineNumber, columnNumber) => {
    if (!url.includes('/.next/server/')) return url;
    if (!maps.has(url)) {
      const file = url.startsWith('file://') ? fileURLToPath(url) : url;
      maps.set(
        url,
        existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as never) : null,
      );
    }
    const entry = maps.get(url)?.findEntry(lineNumber, columnNumber ?? 0) as { originalSource?: string } | undefined;
    return entry?.originalSource ?? null;
  };
}

export function attributeAppProfile(profile: CpuProfile, fromUs: number, toUs: number): AppCpuShares {
  const sourceOf = sourceMapper();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sides = new Map<number, Side>();
  const sideOfNode = (id: number): Side => {
    if (sides.has(id)) return sides.get(id)!;
    const { url, lineNumber, columnNumber } = nodes.get(id)!.callFrame as {
      url: string;
      lineNumber: number;
      columnNumber?: number;
    };
    const source = sourceOf(url, lineNumber, columnNumber);
    const side: Side = source ? sideOfSource(source) : null;
    sides.set(id, side);
    return side;
  };
  const sideOfSample = (leaf: number): Side => {
    for (let at: number | undefined = leaf; at !== undefined; at = parent.get(at)) {
      const side = sideOfNode(at);
      if (side) return side;
      // Node's HTTP server with no application frame below it is the framework's work.
      if (/^node:_http_/.test(nodes.get(at)!.callFrame.url)) return 'next';
    }
    return null;
  };
  const ms = { next: 0, idem: 0, auth: 0, unattributed: 0 };
  let samples = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs || nodes.get(id)!.callFrame.functionName === '(idle)') return;
    samples++;
    const side = sideOfSample(id);
    const spent = (profile.timeDeltas[i] ?? 0) / 1000;
    ms[side === 'auth' ? 'idem' : (side ?? 'unattributed')] += spent;
    if (side === 'auth') ms.auth += spent;
  });
  const total = ms.next + ms.idem + ms.unattributed || 1;
  return {
    next: ms.next / total,
    idem: ms.idem / total,
    auth: ms.auth / total,
    unattributed: ms.unattributed / total,
    samples,
  };
}

/**
 * Where a frame of the app's build comes from, by the chunk's source map: a package
 * (`next`, `pg`), Idem's own file (`lib/auth/customer.ts`), `Node.js core`, or the file's name.
 */
export function frameOwner(): (url: string, lineNumber: number, columnNumber?: number) => string {
  const sourceOf = sourceMapper();
  return (url, lineNumber, columnNumber) => {
    const source = sourceOf(url, lineNumber, columnNumber) ?? url;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1];
    const own = /(?:^|\/)((?:lib|app)\/.*)$/.exec(source)?.[1];
    return pkg ?? own ?? (source.startsWith('node:') ? 'Node.js core' : source.split('/').pop() || '');
  };
}

/**
 * Folded stacks ("a;b;c microseconds" lines, for bench/report/flame.ts) of the samples between
 * `fromUs` and `toUs`: each frame named by its function and its original source (through the
 * chunk's source map: `lib/auth/customer.ts`, `better-auth`, `next`), idle samples left out.
 */
export function foldAppProfile(profile: CpuProfile, fromUs: number, toUs: number): string {
  const where = frameOwner();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const labels = new Map<number, string>();
  const label = (id: number) => {
    let name = labels.get(id);
    if (name !== undefined) return name;
    const { url, lineNumber, columnNumber, functionName } = nodes.get(id)!.callFrame as {
      url: string;
      lineNumber: number;
      columnNumber?: number;
      functionName: string;
    };
    name = `${functionName || '(anonymous)'} ${where(url, lineNumber, columnNumber)}`.replace(/;/g, ',');
    labels.set(id, name);
    return name;
  };
  const folded = new Map<string, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const fn = nodes.get(id)!.callFrame.functionName;
    if (t < fromUs || t > toUs || fn === '(idle)' || fn === '(program)') return;
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      if (nodes.get(at)!.callFrame.functionName !== '(root)') stack.unshift(label(at));
    const key = stack.join(';');
    folded.set(key, (folded.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...folded].map(([k, v]) => `${k} ${v}`).join('\n');
}
