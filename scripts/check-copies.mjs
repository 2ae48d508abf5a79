// Fails when jscpd finds more than MAX_CLONES copied blocks (6+ lines, see .jscpd.json) outside
// tests. A count, not a percentage: a percentage of a growing codebase lets new copies in unseen,
// and a count names each pair that has to justify itself. The JSON report stays in reports/jscpd/.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_CLONES = 4;
const OUTPUT = join('reports', 'jscpd');

const run = spawnSync(join('node_modules', '.bin', 'jscpd'), ['--reporters', 'json', '--output', OUTPUT, '--silent'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (run.status !== 0) {
  console.error(`jscpd itself failed (exit ${run.status ?? run.signal})`);
  process.exit(1);
}

/** @type {{ duplicates: { lines: number; firstFile: Place; secondFile: Place }[] }} */
const report = JSON.parse(readFileSync(join(OUTPUT, 'jscpd-report.json'), 'utf8'));
/** @typedef {{ name: string; start: number; end: number }} Place */
const where = (/** @type {Place} */ file) => `${file.name}:${file.start}-${file.end}`;
for (const clone of report.duplicates)
  console.log(`${where(clone.firstFile)} ↔ ${where(clone.secondFile)} (${clone.lines} lines)`);

const count = report.duplicates.length;
if (count > MAX_CLONES) {
  console.error(
    `${count} copied blocks, more than the ${MAX_CLONES} allowed: share the code instead (a helper, a component, a hook).`,
  );
  process.exit(1);
}
console.log(`${count} copied blocks (at most ${MAX_CLONES} allowed).`);
