-- The command id said once (docs/decisions/015-command-key.md; bench/RESULTS.md §7, storage per
-- command). A command id is scoped by its customer (about 70 characters over HTTP) and was stored in
-- the command's row, in every event it wrote and in two indexes (the commands' primary key and the
-- events' index of their command). It is now stored once, in the command's row; the command's key
-- is a fixed 16 bytes derived from it, which keys the commands and links the events to theirs.
--
-- idem_command_key: the first 16 bytes of SHA-256 over the id's UTF-8 bytes, as a uuid. The same
-- id always has the same key (one command per key, as one per id before); two ids share a key only
-- by a 128-bit collision. lib/event-store/command-key.ts computes the same key in the app.
CREATE FUNCTION idem_command_key(command_id text) RETURNS uuid
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT encode(substring(sha256(convert_to(command_id, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid $$;

ALTER TABLE "events" DROP CONSTRAINT "events_command_id_fkey";
ALTER TABLE "commands" DROP CONSTRAINT "commands_pkey";
ALTER TABLE "commands" ADD COLUMN "command_key" UUID;
UPDATE "commands" SET "command_key" = idem_command_key("command_id");
ALTER TABLE "commands" ALTER COLUMN "command_key" SET NOT NULL;
ALTER TABLE "commands" ADD CONSTRAINT "commands_pkey" PRIMARY KEY ("command_key");

ALTER TABLE "events" ADD COLUMN "command_key" UUID;
UPDATE "events" SET "command_key" = idem_command_key("command_id");
ALTER TABLE "events" ALTER COLUMN "command_key" SET NOT NULL;
DROP INDEX "events_command_id_idx";
ALTER TABLE "events" DROP COLUMN "command_id";
CREATE INDEX "events_command_key_idx" ON "events"("command_key");
ALTER TABLE "events" ADD CONSTRAINT "events_command_key_fkey" FOREIGN KEY ("command_key") REFERENCES "commands"("command_key") ON DELETE RESTRICT ON UPDATE CASCADE;
