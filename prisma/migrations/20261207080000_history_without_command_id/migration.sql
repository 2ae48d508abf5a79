-- Storage per command (bench/RESULTS.md, "Storage per command"): the history rows stop repeating the
-- command id, about 70 bytes of every money movement. The command's row and its events say which
-- command wrote a version (the version a command wrote in an account is read through the events'
-- command-id index, lib/accounts/transaction-page.ts); nothing reads it from the history.
-- Instances of an earlier build still write the column: their money commands fail once it is gone.
ALTER TABLE "account_transactions" DROP COLUMN "command_id";
