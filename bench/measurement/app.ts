// The production app for the HTTP benchmark, built and served from a private copy of the work tree
// (tracked files as they are on disk, the generated Prisma client, node_modules hard-linked), so
// that the benchmark neither rebuilds the shared .next under other people's running instances nor
// serves a build that someone replaces mid-run. The copy is rebuilt only when its content changed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchPort } from './ports';
import { ROOT } from './spawn';

// One build directory per work tree: several work trees share this machine's /tmp.
export const DEFAULT_APP_DIR = `/tmp/idem-bench-app-${path.basename(path.resolve(ROOT))}`;

/**
 * A route only the benchmark's build has: a POST to a path of an API command's shape (a dynamic
 * segment: `/api/bench-floor/{accountId}/withdrawals`) that reads its parameter and its JSON body
 * and answers 201 with a small JSON document, with nothing of Idem on its way (no identity,
 * budgets, database or logging). What Next.js itself costs for an API command: the request path
 * benchmark's floor for a POST (bench/suites/request-path.ts, kind `post-floor`).
 */
export const BENCH_FLOOR_ROUTE = {
  path: 'app/api/bench-floor/[accountId]/withdrawals/route.ts',
  source: `// Written by the benchmark into its private build only (bench/measurement/app.ts).
export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await context.params;
  const body = (await request.json()) as { amount?: unknown };
  return Response.json(
    { accountId, received: body.amount ?? null },
    { status: 201, headers: { 'cache-control': 'no-store' } },
  );
}
`,
};

/**
 * A page and a server action only the benchmark's build has: `/bench-floor/{accountId}` names the
 * action (its id), which reads the form and answers a small state, with nothing of Idem on its way (no
 * session, budgets, database or logging), called as the account page's script calls Withdraw. What
 * Next.js itself costs for a server action: the floor of the browser path (kind `action-floor`).
 */
export const BENCH_FLOOR_ACTION = [
  {
    path: 'app/bench-floor/actions.ts',
    source: `'use server';
// Written by the benchmark into its private build only (bench/measurement/app.ts).

export async function floorAction(_previous: unknown, form: FormData) {
  const amount = form.get('amount');
  return { result: { status: 'success', message: \`Withdrew \${String(amount)}\` }, commandId: String(form.get('commandId')) };
}
`,
  },
  {
    path: 'app/bench-floor/[accountId]/page.tsx',
    source: `// Written by the benchmark into its private build only (bench/measurement/app.ts).
import { connection } from 'next/server';
import { floorAction } from '../actions';

export default async function FloorPage({ params }: { params: Promise<{ accountId: string }> }) {
  await connection();
  const { accountId } = await params;
  // The action's id, for the benchmark's calls (a server reference carries it as $$id).
  return <p data-account={accountId} data-action-id={(floorAction as unknown as { $$id: string }).$$id} />;
}
`,
  },
];

function trackedFiles(): string[] {
  const out = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`git ls-files failed: ${out.stderr}`);
  // The suite itself is not part of the app (and a half-written bench file must not fail its build).
  return out.stdout
    .split('\0')
    .filter((f) => f && !f.startsWith('bench/') && !f.startsWith('scripts/bench') && existsSync(path.join(ROOT, f)));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Copies the work tree into `appDir` and builds it (unless the same content is built there already). Returns the build's stamp. */
export function prepareApp(
  appDir: string,
  log: (line: string) => void,
): { stamp: string; built: boolean; buildSeconds: number } {
  const files = [...trackedFiles(), ...listFiles(path.join(ROOT, 'lib', 'generated'))].sort();
  const hash = createHash('sha256');
  for (const f of files)
    hash
      .update(f)
      .update('\0')
      .update(readFileSync(path.join(ROOT, f)))
      .update('\0');
  for (const extra of [BENCH_FLOOR_ROUTE, ...BENCH_FLOOR_ACTION])
    hash.update(extra.path).update('\0').update(extra.source);
  const stamp = hash.digest('hex').slice(0, 16);
  const stampFile = path.join(appDir, '.bench-stamp');
  if (
    existsSync(path.join(appDir, '.next', 'BUILD_ID')) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === stamp
  ) {
    log(`http: reusing the build in ${appDir} (content ${stamp})`);
    return { stamp, built: false, buildSeconds: 0 };
  }
  log(`http: building a private copy of the work tree in ${appDir} (content ${stamp})…`);
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  for (const f of files) {
    mkdirSync(path.dirname(path.join(appDir, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(appDir, f));
  }
  for (const extra of [BENCH_FLOOR_ROUTE, ...BENCH_FLOOR_ACTION]) {
    mkdirSync(path.dirname(path.join(appDir, extra.path)), { recursive: true });
    writeFileSync(path.join(appDir, extra.path), extra.source);
  }
  // Turbopack refuses a node_modules symlink that leaves the project root; hard links are free.
  const linked = spawnSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules')]);
  if (linked.status !== 0) throw new Error(`cp -al node_modules failed: ${linked.stderr?.toString()}`);
  const t0 = Date.now();
  const build = spawnSync(path.join(appDir, 'node_modules', '.bin', 'next'), ['build'], {
    cwd: appDir,
    encoding: 'utf8',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
  writeFileSync(stampFile, stamp);
  return { stamp, built: true, buildSeconds: (Date.now() - t0) / 1000 };
}

/** `authorization`: the Bearer API key of the customer the benchmark acts as (set after start). */
export type Instance = { url: string; pid: number; child: ChildProcess; output: string[]; authorization?: string };

/** One identity configuration for every benchmark instance; API-key limits high enough not to be what is measured. */
const BENCH_IDENTITY_ENV = {
  BETTER_AUTH_SECRET: 'bench-only-better-auth-secret-0123456789abcdef',
  IDEM_API_KEY_RATE_LIMIT: '999999999/60',
  IDEM_CUSTOMER_RATE_LIMIT: 'off',
  IDEM_NEW_KEYS_PER_HOUR: '100000000',
  IDEM_RECIPIENT_LOOKUP_LIMIT: 'off',
  IDEM_INBOUND_TRANSFERS_PER_HOUR: 'off',
};

/** `next start -p PORT -H 127.0.0.1` as scripts/start.ts runs it, in its own process group. */
export async function startInstance(
  appDir: string,
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Instance> {
  const port = await benchPort('BENCH_APP_PORTS');
  // `node [nodeArgs] next start`: some flags (--cpu-prof) are refused in NODE_OPTIONS. V8's own
  // flags for a trial (BENCH_APP_NODE_ARGS="--single-threaded-gc") are refused there too.
  const trial = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...trial,
      ...nodeArgs,
      path.join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next'),
      'start',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    {
      cwd: appDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...BENCH_IDENTITY_ENV,
        BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        ...env,
      },
    },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const instance = { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, child, output };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited:\n${output.slice(-20).join('\n')}`);
    try {
      // A key that is no key: 401 once the instance serves and has asked PostgreSQL.
      const res = await fetch(`${instance.url}/api/accounts/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: 'Bearer idem_probe' },
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      if (res.status === 401) return instance;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopInstance(instance);
  throw new Error(`next start on ${instance.url} not ready after 60 s:\n${output.slice(-20).join('\n')}`);
}

export async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  try {
    process.kill(-instance.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-instance.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resident memory (VmRSS, MiB) of an instance: its processes, and the largest (next-server). */
export function instanceRss(pid: number): { totalMiB: number; serverMiB: number } {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), p]);
    } catch {
      // exited
    }
  }
  const rss: number[] = [];
  const visit = (p: number) => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      rss.push(kb / 1024);
    } catch {
      // exited
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return { totalMiB: rss.reduce((a, b) => a + b, 0), serverMiB: Math.max(0, ...rss) };
}
