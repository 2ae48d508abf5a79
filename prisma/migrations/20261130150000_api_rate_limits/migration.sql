-- Per-customer API budgets (lib/http/api-limits.ts): rate-limiter-flexible's Postgres store, one row
-- per customer and budget; `expire` is epoch milliseconds, as the library keeps it. Made here, not by
-- the library at run time (tableCreated: true), so the app needs no DDL.
CREATE TABLE "api_rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "api_rate_limits_pkey" PRIMARY KEY ("key")
);

-- `npm run prune` deletes the windows that ended.
CREATE INDEX "api_rate_limits_expire_idx" ON "api_rate_limits"("expire");

