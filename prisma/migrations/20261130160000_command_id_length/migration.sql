-- Command ids are "<customer id>:<Idempotency-Key>" since 20261130020000_customer_ownership, which
-- widened the columns to 320 characters but left the first migration's CHECK at 255: a key longer
-- than about 222 characters (the API accepts 255) failed the CHECK, and the request got a 500.
-- The CHECK now matches the column. (Prisma's schema cannot express CHECK constraints.)
ALTER TABLE "commands" DROP CONSTRAINT "commands_command_id_length_check";
ALTER TABLE "commands" ADD CONSTRAINT "commands_command_id_length_check" CHECK (char_length("command_id") BETWEEN 1 AND 320);
