// Prints one closing line over all runners, e.g. "tests: 120 passed, 0 failed".
import { existsSync, readFileSync } from 'node:fs';

const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const vitest = read('reports/vitest.json');
// The storm and fault tests (Vitest project `cluster`, run after the build): a missing report counts as a failure.
const cluster = existsSync('reports/vitest-cluster.json') ? read('reports/vitest-cluster.json') : null;
const playwright = read('reports/playwright.json');
const s = playwright.stats;
const c = cluster ?? { numPassedTests: 0, numFailedTests: 1, numPendingTests: 0, numTodoTests: 0 };
const passed = vitest.numPassedTests + c.numPassedTests + s.expected + s.flaky;
const failed = vitest.numFailedTests + c.numFailedTests + s.unexpected;
const skipped = vitest.numPendingTests + vitest.numTodoTests + c.numPendingTests + c.numTodoTests + s.skipped;
const clusterLine = cluster
  ? `cluster: ${c.numPassedTests} passed, ${c.numFailedTests} failed`
  : 'cluster: no report (reports/vitest-cluster.json missing)';
console.log(
  `vitest: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed; ${clusterLine}; playwright: ${s.expected} passed, ${s.unexpected} failed`,
);
// One line per storm / fault scenario (requests, duplicates, retries, 5xx, time), if they ran.
if (existsSync('reports/cluster-summary.json')) {
  for (const [name, r] of Object.entries(read('reports/cluster-summary.json'))) {
    console.log(
      `  ${name}: ${r.requests} requests, ${r.duplicates} duplicates, ${r.retries} retries, ${r.status5xx} 5xx, ${(r.durationMs / 1000).toFixed(1)} s`,
    );
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || passed === 0) process.exit(1);
