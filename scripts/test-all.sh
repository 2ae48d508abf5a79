#!/usr/bin/env bash
# `npm test`: every check, against a real PostgreSQL (embedded unless DATABASE_URL is set).
# Static checks (types, lint, Prettier, local links in the docs), unit + integration tests (Vitest), a production build, storm
# and fault tests against a cluster of instances of that build (Vitest project `cluster`), browser
# tests (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p reports
rm -f reports/vitest.json reports/vitest-cluster.json reports/cluster-summary.json reports/playwright.json

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "format (Prettier)"; npx prettier --check .
step "links in README.md and docs/ (offline)"; npm run --silent check:links
step "unit and integration tests (Vitest)"
npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json=reports/vitest.json
step "production build"; npx next build
step "storm and fault tests (Vitest, cluster of the production build)"
npx vitest run --project cluster --reporter=default --reporter=json --outputFile.json=reports/vitest-cluster.json
step "browser tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json
step "summary"; node scripts/test-summary.mjs
