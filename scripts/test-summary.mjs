// Prints one closing line over both runners, e.g. "tests: 120 passed, 0 failed".
import { readFileSync } from 'node:fs';

const vitest = JSON.parse(readFileSync('reports/vitest.json', 'utf8'));
const playwright = JSON.parse(readFileSync('reports/playwright.json', 'utf8'));
const s = playwright.stats;
const passed = vitest.numPassedTests + s.expected + s.flaky;
const failed = vitest.numFailedTests + s.unexpected;
const skipped = vitest.numPendingTests + vitest.numTodoTests + s.skipped;
console.log(`vitest: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed; playwright: ${s.expected} passed, ${s.unexpected} failed`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || passed === 0) process.exit(1);
