// The physical floor: the whole job in ONE round trip, a PL/pgSQL function on Idem's tables. It
// locks the account's balance row (commands on one account queue there, inside PostgreSQL, so it
// never conflicts), checks the command id (a duplicate gets its stored outcome), checks funds, and
// writes the same four rows as Idem: command row, event at version + 1, balance, transaction row.
// Nothing can be cheaper for this job on this PostgreSQL: one statement, no client-side state.
// The one race left: the same command id on two different accounts at once; commands_pkey then
// fails one call, and its retry replays.
import pg from 'pg';
import { migrate } from '../../lib/db/migrate';
import type { AccountCommand } from '../../lib/accounts/domain/account';
import type { OpOutcome } from '../measurement/closed-loop';
import { fingerprintOf, metadataOf, moneyCommand, type Appender } from './job';
import { seededPool } from './seeded-pool';

const FUNCTION = `
CREATE OR REPLACE FUNCTION bench_money_command(p_command_id text, p_type text, p_account_id uuid, p_customer_id text, p_amount bigint,
                                               p_fingerprint text, p_at timestamptz, p_at_text text, p_metadata jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_balance account_balances%ROWTYPE;
  v_prior commands%ROWTYPE;
  v_stream text := 'account-' || p_account_id;
  v_withdraw boolean := p_type = 'WithdrawMoney';
  v_after bigint;
  v_version int;
  v_outcome jsonb;
BEGIN
  SELECT * INTO v_balance FROM account_balances WHERE account_id = p_account_id FOR UPDATE;
  SELECT * INTO v_prior FROM commands WHERE command_key = idem_command_key(p_command_id);
  IF FOUND THEN
    IF v_prior.fingerprint <> decode(p_fingerprint, 'hex') OR v_prior.type <> p_type THEN
      RETURN jsonb_build_object('status', 'key-reused', 'originalType', v_prior.type);
    END IF;
    RETURN v_prior.outcome || '{"replayed": true}'::jsonb;
  END IF;
  IF v_balance.account_id IS NULL THEN
    v_outcome := jsonb_build_object('status', 'rejected', 'rejection', jsonb_build_object('code', 'AccountNotFound', 'accountId', p_account_id));
  ELSIF v_balance.customer_id IS DISTINCT FROM p_customer_id THEN
    v_outcome := jsonb_build_object('status', 'rejected', 'rejection', jsonb_build_object('code', 'NotOwner', 'accountId', p_account_id));
  ELSIF v_withdraw AND p_amount > v_balance.balance_cents THEN
    v_outcome := jsonb_build_object('status', 'rejected', 'rejection', jsonb_build_object('code', 'InsufficientFunds', 'accountId', p_account_id,
                                    'balanceCents', v_balance.balance_cents, 'requestedCents', p_amount));
  END IF;
  IF v_outcome IS NOT NULL THEN
    INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
    VALUES (idem_command_key(p_command_id), p_command_id, p_type, ARRAY[v_stream], decode(p_fingerprint, 'hex'), 'rejected', v_outcome, p_at);
    RETURN v_outcome;
  END IF;
  v_after := CASE WHEN v_withdraw THEN v_balance.balance_cents - p_amount ELSE v_balance.balance_cents + p_amount END;
  v_version := v_balance.version + 1;
  v_outcome := jsonb_build_object('status', 'accepted', 'result', jsonb_build_object('accountId', p_account_id, 'accountNumber', v_balance.account_number, 'owner', v_balance.owner,
                                  'amountCents', p_amount, 'balanceCents', v_after, 'version', v_version));
  INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
  VALUES (idem_command_key(p_command_id), p_command_id, p_type, ARRAY[v_stream], decode(p_fingerprint, 'hex'), 'accepted', v_outcome, p_at);
  INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
  VALUES (v_stream, v_version, CASE WHEN v_withdraw THEN 'MoneyWithdrawn' ELSE 'MoneyDeposited' END,
          jsonb_build_object('accountId', p_account_id, 'amountCents', p_amount, 'currency', 'USD', 'balanceAfterCents', v_after,
                             CASE WHEN v_withdraw THEN 'withdrawnAt' ELSE 'depositedAt' END, p_at_text),
          p_metadata, idem_command_key(p_command_id), p_at);
  UPDATE account_balances SET balance_cents = v_after, version = v_version, updated_at = p_at WHERE account_id = p_account_id;
  INSERT INTO account_transactions (account_id, version, kind, amount_cents, balance_after_cents, occurred_at)
  VALUES (p_account_id, v_version, CASE WHEN v_withdraw THEN 'withdrawal' ELSE 'deposit' END, p_amount, v_after, p_at);
  RETURN v_outcome;
END $$`;

export async function preparePgFunctionDatabase(url: string): Promise<void> {
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(FUNCTION);
  } finally {
    await client.end();
  }
}

const CALL = 'SELECT bench_money_command($1, $2, $3, $4, $5, $6, $7, $8, $9) AS outcome';

type MoneyCommand = Exclude<AccountCommand, { type: 'OpenAccount' }>;

export function pgFunctionAppender(url: string, poolSize: number): Appender {
  const { pool, accounts, common } = seededPool(url, poolSize);
  return {
    ...common,
    name: 'pg function (one round trip)',
    async append(key, _worker, seq): Promise<OpOutcome> {
      const command = moneyCommand(accounts.of(key), seq) as MoneyCommand;
      const { commandId, now } = command.metadata;
      const values = [
        commandId,
        command.type,
        command.data.accountId,
        command.metadata.customerId,
        command.data.amountCents,
        fingerprintOf(command),
        now,
        now.toISOString(),
        JSON.stringify(metadataOf(command)),
      ];
      for (let n = 1; ; n++) {
        try {
          const { rows } = await pool.query<{ outcome: { status: string } }>({ name: 'floor_fn', text: CALL, values });
          return rows[0]?.outcome.status === 'accepted' ? { conflicts: 0 } : { conflicts: 0, failed: true };
        } catch (error) {
          // Only the cross-account duplicate race lands here; the retry replays.
          if ((error as { code?: string }).code !== '23505' || n >= 2) throw error;
        }
      }
    },
  };
}
