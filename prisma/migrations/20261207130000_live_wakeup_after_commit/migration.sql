-- The live feed's wake-up leaves the commit (lib/live/wake.ts; bench/RESULTS.md §7).
--
-- A transaction that has called NOTIFY takes PostgreSQL's notification lock at commit (a
-- heavyweight lock on "database 0", one for the whole server) and holds it until its commit is
-- flushed, so that notifications are queued in commit order. With the trigger of migration
-- 20261207020000_live_updates every appending transaction notified, so no two of them could
-- flush their commits together: each waited for the previous one's WAL flush (seen as
-- Lock:object and IO:WalSync waits under load, and in the slow tail of every command).
-- The instance that committed now sends the same empty NOTIFY idem_events after its commit, in a
-- transaction of its own that writes nothing (so flushes nothing), at most one per few
-- milliseconds. The hubs read the log themselves and poll it every second, so a wake-up that is
-- never sent (the instance stopped right after its commit) delays events, never loses them.
DROP TRIGGER IF EXISTS events_notify ON "events";
DROP FUNCTION IF EXISTS idem_events_notify();
