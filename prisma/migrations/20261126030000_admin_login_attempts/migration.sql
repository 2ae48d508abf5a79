-- CreateTable
CREATE TABLE "admin_login_attempts" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_login_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "admin_login_attempts_key_attempted_at_idx" ON "admin_login_attempts"("key", "attempted_at");

-- CreateIndex
CREATE INDEX "admin_login_attempts_attempted_at_idx" ON "admin_login_attempts"("attempted_at");
