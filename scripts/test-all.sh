#!/usr/bin/env bash
# `npm test`: every check, against a real PostgreSQL (embedded unless DATABASE_URL is set).
# Static checks, unit + integration tests (Vitest), a production build, browser tests (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p reports
rm -f reports/vitest.json reports/playwright.json

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "unit and integration tests (Vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json
step "production build"; npx next build
step "browser tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json
step "summary"; node scripts/test-summary.mjs
