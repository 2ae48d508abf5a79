// One property run of the API fuzz: a fresh model read from the API, then each action sent in turn
// (sequentially, so "this request changed nothing" is well defined) with every table digested
// before and after it. Throws on the first broken rule: a 5xx, an answer the model did not expect,
// or a request that should have changed nothing and changed something.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Observation, ObservedRequest } from '../invariants';
import {
  KEYS_PER_CUSTOMER,
  MAX_AMOUNT_CENTS,
  money,
  type Action,
  type Again,
  type Command,
  type CommandAction,
  type Read,
} from './actions';
import { expectCommand, Model, type Expected, type Resolved } from './model';
import {
  authorizationOf,
  commandRequest,
  MUTATION_ANSWER,
  problemType,
  send,
  type Answer,
  type Credentials,
} from './requests';
import { changedTables, snapshot } from './table-snapshot';

export type FuzzContext = {
  url: string;
  db: pg.Client;
  snapshotSql: string;
  credentials: Credentials;
  /** Every command the fuzz sent, by command id: what the invariant checker compares the ledger with. */
  observations: Map<string, Observation>;
  stats: Record<string, number>;
};

const count = (ctx: FuzzContext, name: string) => (ctx.stats[name] = (ctx.stats[name] ?? 0) + 1);
const json = (text: string) => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** A command as it was resolved and sent: sending it again means the same accounts, numbers and body. */
type Sent = {
  action: CommandAction;
  resolved: Resolved;
  path: string;
  body: Record<string, unknown>;
  equivalent?: boolean;
};

export class FuzzRun {
  private readonly runId = randomUUID().slice(0, 8);
  private readonly sent: Sent[] = [];

  private constructor(
    private readonly ctx: FuzzContext,
    readonly model: Model,
  ) {}

  /** The model starts from what the API says each customer has. */
  static async start(ctx: FuzzContext): Promise<FuzzRun> {
    const accounts = [];
    for (const [owner, customer] of ctx.credentials.customers.entries()) {
      const answer = await send(ctx.url, 'GET', '/api/accounts', { authorization: customer.authorizations[0]! });
      if (answer.status !== 200)
        throw new Error(`listing customer ${owner}'s accounts: ${answer.status} ${answer.body}`);
      const listed = (json(answer.body).accounts ?? []) as { id: string; accountNumber: string; balance: string }[];
      accounts.push(
        ...listed.map((a) => ({
          id: a.id,
          number: a.accountNumber,
          owner,
          balance: Math.round(Number(a.balance) * 100),
        })),
      );
    }
    return new FuzzRun(ctx, new Model(accounts));
  }

  async step(action: Action): Promise<void> {
    const before = await snapshot(this.ctx.db, this.ctx.snapshotSql);
    const again = action.kind === 'again' ? this.again(action) : null;
    if (action.kind === 'again' && !again) return; // nothing sent yet in this run
    const { answer, allowedCommand, describe } =
      action.kind === 'read'
        ? await this.read(action)
        : again
          ? await this.command(again.action, again)
          : await this.command(action as CommandAction);
    const what = action.kind === 'read' ? action.read.type : (again?.action ?? (action as CommandAction)).command.type;
    count(this.ctx, `${what} ${answer.status}${answer.status >= 400 ? ` ${problemType(answer) ?? ''}` : ''}`);
    if (allowedCommand === 'any') return; // a first execution that was accepted: it wrote what it wrote
    const after = await snapshot(this.ctx.db, this.ctx.snapshotSql, allowedCommand);
    const changed = changedTables(before, after);
    if (changed.length > 0)
      throw new Error(`${describe()}\nanswered ${answer.status}, but changed ${changed.join(', ')}`);
    if (allowedCommand) {
      const { rows } = await this.ctx.db.query<{ status: string }>(
        'SELECT status FROM commands WHERE command_id = $1',
        [allowedCommand],
      );
      if (rows[0]?.status !== 'rejected')
        throw new Error(
          `${describe()}\nanswered ${answer.status}, but its command row is ${rows[0]?.status ?? 'missing'}`,
        );
    }
  }

  /** An earlier command of this run, varied as the action says; null when there is none yet. */
  private again({ pick, variant }: Again): Sent | null {
    const earlier = this.sent[pick % Math.max(1, this.sent.length)];
    if (!earlier) return null;
    const { action } = earlier;
    if (variant === 'requote')
      return { ...earlier, action: { ...action, key: { ...action.key, quoted: !action.key.quoted } } };
    if (variant === 'other-api-key' && action.auth.kind === 'key') {
      const key = (action.auth.key + 1) % KEYS_PER_CUSTOMER[action.auth.customer]!;
      return { ...earlier, action: { ...action, auth: { ...action.auth, key } } };
    }
    if (variant !== 'equivalent') return earlier;
    const respell = (value: unknown) =>
      typeof value === 'string' && /^\d+(\.\d{1,2})?$/.test(value) ? `0${value}` : value;
    const upper = (value: unknown) => (typeof value === 'string' ? value.toUpperCase() : value);
    const body = { ...earlier.body };
    if ('amount' in body) body.amount = respell(body.amount);
    if ('openingDeposit' in body) body.openingDeposit = respell(body.openingDeposit);
    if ('from' in body) body.from = upper(body.from);
    if (typeof body.name === 'string') body.name = `${body.name} `;
    return {
      ...earlier,
      body,
      equivalent: true,
      path: earlier.path.replace(
        /^\/api\/accounts\/([^/]+)\//,
        (_, id: string) => `/api/accounts/${id.toUpperCase()}/`,
      ),
    };
  }

  private async command(action: CommandAction, again?: Sent) {
    const actor = action.auth.kind === 'key' ? action.auth.customer : 0;
    const customer = this.ctx.credentials.customers[actor]!;
    const key = keyOf(this.runId, action.key.slot);
    const commandId = `${customer.id}:${key}`;
    const { resolved, path, body } = again ?? this.resolve(action.command, actor);
    if (!again) this.sent.push({ action, resolved, path, body });
    const authorization = authorizationOf(action.auth, this.ctx.credentials);
    // The equivalent variant also spells the media type differently: parameters and case do not matter.
    const contentType = again?.equivalent ? 'Application/JSON; charset=utf-8' : undefined;
    const request = commandRequest(
      body,
      action.key.quoted ? `"${key.replace(/[\\"]/g, '\\$&')}"` : key,
      action.mutation,
      authorization,
      contentType,
    );
    const expected: Expected =
      action.auth.kind !== 'key'
        ? { kind: 'refused', status: 401, problem: 'unauthorized' }
        : action.mutation !== 'none'
          ? { kind: 'refused', ...MUTATION_ANSWER[action.mutation] }
          : expectCommand(this.model, resolved, actor, commandId);
    const answer = await send(this.ctx.url, 'POST', path, request.headers, request.payload);
    const describe = () =>
      `POST ${path} ${JSON.stringify(action)}\nsent ${typeof request.payload === 'string' ? request.payload.slice(0, 300) : '(bytes)'}\nexpected ${JSON.stringify(expected)}\ngot ${answer.status} ${answer.body.slice(0, 400)}`;
    this.expectNo5xx(answer, describe);
    if (answer.status === 429 || answer.status === 409) return { answer, allowedCommand: null, describe }; // nothing ran
    const fail = (why: string) => new Error(`${why}\n${describe()}`);
    const replayed = answer.headers.get('idempotent-replayed') === 'true';
    if (expected.kind === 'refused') {
      if (answer.status !== expected.status || problemType(answer) !== expected.problem)
        throw fail('unexpected answer');
      if (expected.problem === 'idempotency-key-reused') count(this.ctx, 'key reused for another request');
      return { answer, allowedCommand: null, describe };
    }
    const observed = {
      status: answer.status,
      body: answer.body,
      instance: 0,
      replayed,
      apiKey: action.auth.kind === 'key' ? action.auth.key : 0,
    };
    if (expected.kind === 'replay') {
      if (answer.status !== expected.stored.status || answer.body !== expected.stored.body || !replayed)
        throw fail('a reused key with the same request must replay the first answer');
      this.ctx.observations.get(commandId)!.responses.push(observed);
      count(this.ctx, `replayed ${answer.status}`);
      return { answer, allowedCommand: null, describe };
    }
    if (
      answer.status !== expected.status ||
      (expected.problem !== null && problemType(answer) !== expected.problem) ||
      replayed
    )
      throw fail('the model expected another answer');
    const mismatches = expected.check(json(answer.body));
    if (mismatches.length > 0) throw fail(`the answer disagrees with the model: ${mismatches.join('; ')}`);
    this.model.stored.set(commandId, { fingerprint: expected.fingerprint, status: answer.status, body: answer.body });
    this.ctx.observations.set(commandId, {
      key,
      request: observedRequest(resolved, customer.id, path),
      responses: [observed],
    });
    return { answer, allowedCommand: answer.status === 201 ? ('any' as const) : commandId, describe };
  }

  private resolve(
    command: Command,
    actor: number,
  ): { resolved: Resolved; path: string; body: Record<string, unknown> } {
    if (command.type !== 'open' && command.amount.relative !== undefined) {
      // The source's balance (+1 cent): resolved now, against the model; an unknown source gets 1.00.
      const source = command.type === 'transfer' ? command.from : command.account;
      const known =
        source.kind === 'own' || source.kind === 'other' ? this.model.resolveAccount(source, actor).account : undefined;
      const cents = (known?.balance ?? 100) + command.amount.relative;
      const amount =
        cents > 0 && cents <= MAX_AMOUNT_CENTS ? { value: money(cents), cents } : { value: money(cents), cents: null };
      return this.resolve({ ...command, amount }, actor);
    }
    switch (command.type) {
      case 'open':
        return {
          resolved: { type: 'open', command },
          path: '/api/accounts',
          body: { name: command.name.value, openingDeposit: command.openingDeposit?.value },
        };
      case 'deposit':
      case 'withdraw': {
        const account = this.model.resolveAccount(command.account, actor);
        const path = `/api/accounts/${account.text}/${command.type === 'deposit' ? 'deposits' : 'withdrawals'}`;
        return { resolved: { type: command.type, command, account }, path, body: { amount: command.amount.value } };
      }
      case 'transfer': {
        const from = this.model.resolveAccount(command.from, actor);
        const to = this.model.resolveRecipient(command.to, actor, from);
        const fromText = command.from.kind === 'malformed' ? decodeURIComponent(from.text) : from.text;
        return {
          resolved: { type: 'transfer', command, from, to },
          path: '/api/transfers',
          body: { from: fromText, toAccountNumber: to.value, amount: command.amount.value },
        };
      }
    }
  }

  private async read(action: Extract<Action, { kind: 'read' }>) {
    const read: Read = action.read;
    const signedIn = action.auth.kind === 'key';
    const actor = action.auth.kind === 'key' ? action.auth.customer : 0;
    const authorization = authorizationOf(action.auth, this.ctx.credentials);
    const headers: Record<string, string> = authorization === null ? {} : { authorization };
    let path: string;
    let check: (answer: Answer) => string | null;
    const status = (want: number) => (answer: Answer) => (answer.status === want ? null : `expected ${want}`);
    switch (read.type) {
      case 'list':
        path = '/api/accounts';
        check = (answer) => {
          if (!signedIn) return status(401)(answer);
          if (answer.status !== 200) return 'expected 200';
          const listed = ((json(answer.body).accounts ?? []) as { id: string; balance: string }[])
            .map((a) => `${a.id} ${a.balance}`)
            .sort();
          const model = this.model.accounts
            .filter((a) => a.owner === actor)
            .map((a) => `${a.id} ${money(a.balance)}`)
            .sort();
          return JSON.stringify(listed) === JSON.stringify(model) ? null : `the model has ${JSON.stringify(model)}`;
        };
        break;
      case 'account':
      case 'events': {
        const target = this.model.resolveAccount(read.account, actor);
        const own = target.account?.owner === actor ? target.account : undefined;
        path = `/api/accounts/${target.text}${read.type === 'events' ? '/events?limit=1000' : ''}`;
        check = (answer) => {
          if (!signedIn) return status(401)(answer);
          if (!own) return status(404)(answer);
          if (answer.status !== 200) return 'expected 200';
          const body = json(answer.body);
          if (read.type === 'events' && body.nextCursor !== null) return null; // more than a page: the last event is elsewhere
          const balance =
            read.type === 'account'
              ? body.balance
              : money(
                  ((body.events ?? []) as { data: { balanceAfterCents?: number } }[]).findLast(
                    (e) => e.data.balanceAfterCents !== undefined,
                  )?.data.balanceAfterCents ?? 0,
                );
          return balance === money(own.balance) ? null : `the model's balance is ${money(own.balance)}`;
        };
        break;
      }
      case 'page': {
        // The transactions page, as customer 0 in a browser (session cookie) or signed out.
        const target = this.model.resolveAccount(read.account, 0);
        path = `/accounts/${target.text}?kind=${read.kind}&before=${read.before}`;
        for (const name of Object.keys(headers)) delete headers[name];
        if (read.signedIn) headers.cookie = this.ctx.credentials.cookie;
        check = (answer) => {
          if (!read.signedIn)
            return answer.status >= 300 && answer.status < 400 ? null : 'expected a redirect to sign in';
          return status(target.account?.owner === 0 ? 200 : 404)(answer);
        };
        break;
      }
      case 'misc':
        path = read.path;
        check = (answer) => (answer.status < 500 ? null : 'expected no 5xx');
        break;
    }
    const answer = await send(this.ctx.url, read.type === 'misc' ? read.method : 'GET', path, headers);
    const describe = () =>
      `${read.type === 'misc' ? read.method : 'GET'} ${path} ${JSON.stringify(action)}\ngot ${answer.status} ${answer.body.slice(0, 400)}`;
    this.expectNo5xx(answer, describe);
    if (answer.status !== 429) {
      const wrong = check(answer);
      if (wrong) throw new Error(`${wrong}\n${describe()}`);
    }
    return { answer, allowedCommand: null, describe };
  }

  private expectNo5xx(answer: Answer, describe: () => string) {
    if (answer.status >= 500) throw new Error(`a 5xx answer\n${describe()}`);
  }
}

/**
 * The Idempotency-Key of a slot. Slot 4's has every visible ASCII symbol (a quoted `"` and `\` are
 * escaped in the Structured Field form, and must name the same key as the bare form); slot 5's is
 * the longest allowed (255 characters).
 */
function keyOf(runId: string, slot: number): string {
  const key = `fz-${runId}-${slot}`;
  if (slot === 4) return `${key}-!#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~"x`;
  if (slot === 5) return key.padEnd(255, 'k');
  return key;
}

function observedRequest(resolved: Resolved, customerId: string, path: string): ObservedRequest {
  switch (resolved.type) {
    case 'open': {
      const deposit = resolved.command.openingDeposit?.value as string | undefined;
      return {
        kind: 'open',
        customerId,
        path,
        body: { name: resolved.command.name.trimmed!, openingDeposit: deposit },
      };
    }
    case 'deposit':
    case 'withdraw':
      return {
        kind: resolved.type,
        customerId,
        path,
        accountId: resolved.account.id!,
        body: { amount: resolved.command.amount.value as string },
      };
    case 'transfer':
      return {
        kind: 'transfer',
        customerId,
        path,
        toAccountId: resolved.to.account?.id,
        body: {
          from: resolved.from.id!,
          toAccountNumber: resolved.to.number!,
          amount: resolved.command.amount.value as string,
        },
      };
  }
}
