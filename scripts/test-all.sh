#!/usr/bin/env bash
# `npm test`: every check, against a real PostgreSQL (embedded unless DATABASE_URL is set).
# Static checks (types, lint, import cycles, Prettier, local links in the docs, the OpenAPI document linted
# by Redocly and Spectral), unit + integration tests (Vitest), a production build, storm and fault tests
# against a cluster of instances of that build (Vitest project `cluster`), browser tests (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p reports
rm -f reports/vitest.json reports/vitest-cluster.json reports/cluster-summary.json reports/playwright.json

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "import cycles (dependency-cruiser)"; npm run --silent check:cycles
step "format (Prettier)"; npx prettier --check .
step "links in README.md and docs/ (offline)"; npm run --silent check:links
step "OpenAPI document (Redocly, Spectral)"; npm run --silent check:openapi
step "unused files, exports and dependencies (knip)"; npm run --silent check:unused
# .jscpd.json: clones of 6+ lines outside tests, e2e, generated code and bench; scripts/check-copies.mjs fails above 4 of them
# (a percentage of duplicated lines).
step "copies (jscpd)"; npm run --silent check:copies
step "unit and integration tests (Vitest)"
npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json=reports/vitest.json
step "production build"; npx next build
step "storm and fault tests (Vitest, cluster of the production build)"
npx vitest run --project cluster --reporter=default --reporter=json --outputFile.json=reports/vitest-cluster.json
step "browser tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json
step "summary"; node scripts/test-summary.mjs
