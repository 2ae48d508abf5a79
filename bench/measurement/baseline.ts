// `--baseline REV`: Idem's command path as it was at git revision REV, measured in the same run as
// the work tree (contender "idem-baseline"), so a change to the engine is judged by a ratio from one
// run instead of two runs on a noisy machine. REV's tracked files are unpacked into a directory of
// their own with this tree's node_modules hard-linked, its Prisma client generated, and THIS tree's
// bench/ copied in (the same harness measures both), except bench/idem-adapter.ts, which comes
// from REV when it has one (it knows where REV keeps the command path). The adapter stays at the top
// of bench/ for that reason: older revisions keep it there, with imports relative to that folder.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './spawn';

export type Baseline = { rev: string; commit: string; dir: string };

const run = (cmd: string, args: string[], cwd: string) => {
  const out = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
};

export function prepareBaseline(rev: string, log: (line: string) => void): Baseline {
  const commit = run('git', ['rev-parse', '--verify', `${rev}^{commit}`], ROOT).trim();
  const dir = `/tmp/idem-bench-baseline-${path.basename(path.resolve(ROOT))}-${commit.slice(0, 12)}`;
  const ready = path.join(dir, '.bench-baseline-ready');
  if (!existsSync(ready)) {
    log(`baseline: unpacking ${rev} (${commit.slice(0, 12)}) into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    spawnSync('sh', ['-c', `git archive ${commit} | tar -x -C '${dir}'`], { cwd: ROOT, stdio: 'inherit' });
    run('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')], ROOT);
    run(process.execPath, ['scripts/prisma-generate.mjs'], dir);
  }
  const adapter = path.join(dir, 'bench', 'idem-adapter.ts');
  const keepAdapter = existsSync(ready) || existsSync(adapter);
  for (const file of readdirSync(path.join(ROOT, 'bench'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || (file === 'idem-adapter.ts' && keepAdapter)) continue;
    mkdirSync(path.dirname(path.join(dir, 'bench', file)), { recursive: true });
    cpSync(path.join(ROOT, 'bench', file), path.join(dir, 'bench', file));
  }
  writeFileSync(ready, commit);
  return { rev, commit, dir };
}
