// Runs a bench/ entry point in a child Node process (tsx, react-server conditions so that modules
// marked `server-only` load) and returns the JSON it wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a benchmark's main to the end, then exits (open pools or timers must not keep it alive): 0, or 1 after printing the error. */
export function exitAfter(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** `root`: run bench/`entry` of another checkout (a --baseline directory) instead of this one. */
export async function runChild<T>(
  entry: string,
  spec: Record<string, unknown>,
  timeoutMs = 15 * 60_000,
  root = ROOT,
): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-bench-'));
  const out = path.join(dir, 'result.json');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        path.join(root, 'node_modules', '.bin', 'tsx'),
        ['--conditions=react-server', path.join(root, 'bench', entry)],
        {
          cwd: root,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: { ...process.env, BENCH_SPEC: JSON.stringify({ ...spec, out }) },
        },
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`bench/${entry} exited with ${signal ?? code}`));
      });
    });
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
