// Emmett's command handler on the same job: `CommandHandler` from @event-driven-io/emmett with Idem's
// pure decider (lib/accounts/domain/account.ts: decide, evolve, initialState) over Emmett's PostgreSQL event
// store. Per command: read the whole stream and fold it (Emmett has no snapshots), decide, append
// with the expected version; on ExpectedVersionConflictError its own retry (asyncRetry) re-runs all
// of it. It has NO deduplication: a command sent twice is applied twice (the command id only rides
// along in the event metadata), so it does less than the job asks; the report says so.
// Retry budget: Idem's (30 attempts, backoff from 2 ms doubling up to 100 ms, jittered) instead of
// Emmett's default for `onVersionConflict: true` (3 retries from 100 ms), which gives up on a hot
// stream; what remains different is async-retry's jitter (× 1–2) against Idem's full jitter.
import { CommandHandler, isExpectedVersionConflictError } from '@event-driven-io/emmett';
import {
  accountStreamId,
  decide,
  evolve,
  initialState,
  type Account,
  type AccountCommand,
  type AccountEvent,
} from '../../lib/accounts/domain/account';
import type { AccountId } from '../../lib/accounts/domain/account-id';
import { legacyAccountNumber } from '../../lib/accounts/domain/account-number';
import { accountBook, BENCH_CUSTOMER, metadataOf, moneyCommand, OPENING_DEPOSIT_CENTS, type Appender } from './job';
import { emmettStore } from './emmett';
import { newId } from './payload';

const MAX_ATTEMPTS = 30;

const handle = CommandHandler<Account, AccountEvent>({
  evolve,
  initialState,
  mapToStreamId: (id) => accountStreamId(id as AccountId),
});

export function emmettHandlerAppender(url: string, poolSize: number): Appender {
  const { pool, store, close } = emmettStore(url, poolSize);
  const accounts = accountBook();
  const run = async (command: AccountCommand) => {
    let conflicts = 0;
    let rejected = false;
    try {
      await handle(
        store,
        command.data.accountId,
        (state) => {
          const decision = decide(command, state);
          rejected = !decision.ok;
          return decision.ok ? decision.events.map((e) => ({ ...e, metadata: metadataOf(command) })) : [];
        },
        {
          retry: {
            onVersionConflict: {
              retries: MAX_ATTEMPTS - 1,
              minTimeout: 2,
              factor: 2,
              maxTimeout: 100,
              randomize: true,
              shouldRetryError: (error) => isExpectedVersionConflictError(error) && ++conflicts > 0,
            },
          },
        },
      );
      return { conflicts, failed: rejected };
    } catch (error) {
      if (!isExpectedVersionConflictError(error)) throw error;
      return { conflicts, failed: true, busy: true };
    }
  };
  return {
    name: 'Emmett CommandHandler',
    async open(key) {
      const accountId = newId() as AccountId;
      const opened = await run({
        type: 'OpenAccount',
        data: {
          accountId,
          accountNumber: legacyAccountNumber(accountId),
          owner: 'bench',
          openingDepositCents: OPENING_DEPOSIT_CENTS,
        },
        metadata: { commandId: newId(), now: new Date(), customerId: BENCH_CUSTOMER },
      });
      if (opened.failed) throw new Error('OpenAccount failed');
      accounts.set(key, accountId);
    },
    append: (key, _worker, seq) => run(moneyCommand(accounts.of(key), seq)),
    async streamLength(key) {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT COALESCE(max(stream_position), 0)::int AS n FROM emt_streams WHERE stream_id = $1',
        [accountStreamId(accounts.of(key))],
      );
      return rows[0]?.n ?? 0;
    },
    close,
  };
}
