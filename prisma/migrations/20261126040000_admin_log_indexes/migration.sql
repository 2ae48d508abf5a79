-- CreateIndex
CREATE INDEX "commands_created_at_command_id_idx" ON "commands"("created_at" DESC, "command_id" DESC);

-- CreateIndex
CREATE INDEX "events_created_at_idx" ON "events"("created_at");
