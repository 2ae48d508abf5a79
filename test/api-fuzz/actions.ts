// What the API fuzz (test/api-fuzz.cluster.test.ts) sends: fast-check arbitraries for sequences of
// customer API requests, valid and invalid. Each value says by construction whether the API must
// accept it (an amount's cents, a name's validity), so the model needs no second parser. Accounts
// and keys are picked by index and resolved when the action runs: the arbitraries know nothing of
// the ledger, and a shrunk sequence still means something.
import fc from 'fast-check';

export const MAX_AMOUNT_CENTS = 100_000_000;
const OWNER_MAX_LENGTH = 80;

/**
 * An amount as sent, and its cents when it has the API's format (null: refused whatever the
 * context). `relative` asks for the source account's balance (+0 or +1 cent) when the action runs:
 * the boundary of insufficient funds.
 */
export type Amount = { value: unknown; cents: number | null; relative?: 0 | 1 };
/** A name as sent (undefined: the field is missing) and its trimmed text when the API must accept it. */
type Name = { value: unknown; trimmed: string | null };

export type Auth =
  | { kind: 'key'; customer: number; key: number }
  | { kind: 'revoked' }
  | { kind: 'unknown' }
  | { kind: 'malformed'; header: string }
  | { kind: 'none' };

/** One thing wrong with a command's headers or body (checked before the body's fields), or none. */
const MUTATIONS = [
  'no-idempotency-key',
  'long-idempotency-key',
  'bad-idempotency-key',
  'text-plain',
  'no-content-type',
  'huge-body',
  'not-json',
  'empty-body',
  'bad-utf8',
  'non-object',
  'extra-field',
  'proto-field',
  'huge-chunked',
  'cross-site',
  'origin-null',
  'foreign-origin',
] as const;
export type Mutation = 'none' | (typeof MUTATIONS)[number];

export type AccountRef =
  { kind: 'own' | 'other'; pick: number; upper: boolean } | { kind: 'unknown' } | { kind: 'malformed'; text: string };

export type Recipient =
  | { kind: 'own' | 'other'; pick: number; spaced: boolean }
  | { kind: 'same' }
  | { kind: 'unknown' }
  | { kind: 'malformed'; value: unknown };

export type Command =
  | { type: 'open'; name: Name; openingDeposit: Amount | undefined }
  | { type: 'deposit' | 'withdraw'; account: AccountRef; amount: Amount }
  | { type: 'transfer'; from: AccountRef; to: Recipient; amount: Amount };

export type Read =
  | { type: 'list' }
  | { type: 'account' | 'events'; account: AccountRef }
  | { type: 'page'; account: AccountRef; signedIn: boolean; kind: string; before: string }
  | { type: 'misc'; method: string; path: string };

/** A key slot of the run: the same slot is the same Idempotency-Key (quoted as a Structured Field or bare). */
type KeyRef = { slot: number; quoted: boolean };

export type CommandAction = { kind: 'command'; auth: Auth; key: KeyRef; mutation: Mutation; command: Command };
/**
 * An earlier command of the run sent again with its key: as it was, with the customer's other API
 * key, with the key quoted the other way, or spelled differently but meaning the same (amounts with
 * a leading zero, account ids upper-cased, names with a trailing space) — a replay every time.
 */
export type Again = { kind: 'again'; pick: number; variant: 'same' | 'other-api-key' | 'requote' | 'equivalent' };
export type Action = CommandAction | { kind: 'read'; auth: Auth; read: Read } | Again;

export const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Equivalent spellings of one amount: the API reads them all as the same cents (and the same request). */
function spellings(cents: number): string[] {
  const dollars = Math.floor(cents / 100);
  const rest = cents % 100;
  return [
    money(cents),
    `00${money(cents)}`,
    ...(rest === 0 ? [String(dollars)] : []),
    ...(rest % 10 === 0 ? [`${dollars}.${rest / 10}`] : []),
  ];
}

const centsArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 500_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_AMOUNT_CENTS }) },
  { weight: 1, arbitrary: fc.constantFrom(0, MAX_AMOUNT_CENTS) },
);
const wellFormed: fc.Arbitrary<Amount> = centsArb.chain((cents) =>
  fc.constantFrom(...spellings(cents)).map((value) => ({ value, cents })),
);
const tooLarge: fc.Arbitrary<Amount> = fc
  .oneof(fc.integer({ min: MAX_AMOUNT_CENTS + 1, max: MAX_AMOUNT_CENTS * 100 }), fc.constant(MAX_AMOUNT_CENTS + 1))
  .map((cents) => ({ value: money(cents), cents: null }));
const malformedAmount: fc.Arbitrary<Amount> = fc
  .oneof(
    fc.constantFrom<unknown>(
      '',
      ' 1.00',
      '1.00 ',
      '-1.00',
      '+1.00',
      '1.234',
      '1,000.00',
      '1e3',
      '0x10',
      'NaN',
      'Infinity',
      '1.',
      '.5',
      '12..3',
      '$5.00',
    ),
    fc.constantFrom<unknown>(12, 12.5, 0, -1, null, true, [], {}, ['1.00'], { amount: '1.00' }),
    fc.constant('9'.repeat(400)),
    fc.string({ maxLength: 12 }),
  )
  .filter((value) => typeof value !== 'string' || !/^\d+(\.\d{1,2})?$/.test(value))
  .map((value) => ({ value, cents: null }));
const amountArb: fc.Arbitrary<Amount> = fc.oneof(
  { weight: 12, arbitrary: wellFormed },
  {
    weight: 2,
    arbitrary: fc.constantFrom(0 as const, 1 as const).map((relative) => ({ value: null, cents: null, relative })),
  },
  { weight: 1, arbitrary: tooLarge },
  { weight: 2, arbitrary: malformedAmount },
);

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: OWNER_MAX_LENGTH,
});
const validName: fc.Arbitrary<Name> = fc
  .tuple(
    fc.nat({ max: 3 }),
    printable.filter((s) => s.trim().length > 0),
    fc.nat({ max: 3 }),
  )
  .map(([before, core, after]) => ({
    value: `${' '.repeat(before)}${core}${' '.repeat(after)}`,
    trimmed: core.trim(),
  }));
// Text the plain-text rule (lib/text/plain-text.ts) refuses: NUL, a line break, a bidi override, a
// zero-width space, a lone surrogate. And decomposed text, stored as NFC (the same name, the same request).
const refusedText = fc.constantFrom('Ann\u0000', 'Ann\nBob', 'Invoice\u202Efdp.exe', 'A\u200Bnn', 'Ann\uD800');
const decomposed: fc.Arbitrary<Name> = fc
  .constantFrom('Re\u0301sume\u0301', 'A\u030Angstro\u0308m')
  .map((value) => ({ value, trimmed: value.normalize('NFC') }));
const invalidName: fc.Arbitrary<Name> = fc.oneof(
  fc
    .constantFrom<unknown>('', '   ', 42, null, ['Ann'], { name: 'Ann' }, undefined)
    .map((value) => ({ value, trimmed: null })),
  refusedText.map((value) => ({ value, trimmed: null })),
  fc.integer({ min: OWNER_MAX_LENGTH + 1, max: 300 }).map((n) => ({ value: 'x'.repeat(n), trimmed: null })),
);
const nameArb = fc.oneof(
  { weight: 6, arbitrary: validName },
  { weight: 1, arbitrary: decomposed },
  { weight: 2, arbitrary: invalidName },
);

const pick = fc.nat({ max: 20 });
const malformedId = fc.oneof(
  fc.constantFrom(
    'not-a-uuid',
    '00000000-0000-0000-0000-00000000000g',
    '123',
    'accounts',
    '%00',
    'a'.repeat(300),
    '12345678-1234-1234-1234-1234567890123',
  ),
  // Not `.` or `..`: the URL would lose them as dot segments and name another route.
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => !/^\.+$/.test(s))
    .map(encodeURIComponent),
);
const accountRefArb: fc.Arbitrary<AccountRef> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('own' as const), pick, upper: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('other' as const), pick, upper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
  { weight: 1, arbitrary: malformedId.map((text) => ({ kind: 'malformed' as const, text })) },
);
const recipientArb: fc.Arbitrary<Recipient> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constantFrom('own' as const, 'other' as const), pick, spaced: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'same' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(
        '',
        '12345',
        '100000000019',
        '1000 0000 001x',
        12345678901,
        null,
        'abcdefghijkl',
        '1'.repeat(100),
      )
      .map((value) => ({ kind: 'malformed' as const, value })),
  },
);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('open' as const),
      name: nameArb,
      openingDeposit: fc.option(amountArb, { nil: undefined }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant('deposit' as const), account: accountRefArb, amount: amountArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant('withdraw' as const), account: accountRefArb, amount: amountArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('transfer' as const),
      from: accountRefArb,
      to: recipientArb,
      amount: amountArb,
    }),
  },
);

/** Customer 0 has two API keys, the others one; the revoked key was customer 2's. */
export const KEYS_PER_CUSTOMER = [2, 1, 1];
const authArb: fc.Arbitrary<Auth> = fc.oneof(
  {
    weight: 40,
    arbitrary: fc
      .nat({ max: KEYS_PER_CUSTOMER.length - 1 })
      .chain((customer) =>
        fc.nat({ max: KEYS_PER_CUSTOMER[customer]! - 1 }).map((key) => ({ kind: 'key' as const, customer, key })),
      ),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'revoked' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words', 'bearer  ', `Bearer ${'k'.repeat(600)}`)
      .map((header) => ({ kind: 'malformed' as const, header })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('none' as const) },
  { weight: 3, arbitrary: fc.constantFrom(...MUTATIONS) },
);

const readArb: fc.Arbitrary<Read> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ type: 'list' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constantFrom('account' as const, 'events' as const), account: accountRefArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('page' as const),
      account: accountRefArb,
      signedIn: fc.boolean(),
      kind: fc.constantFrom('', 'all', 'deposits', 'withdrawals', 'transfers', 'bogus', 'deposits,transfers'),
      before: fc.constantFrom('', '1', '2', '0', '-1', 'abc', '1.5', '99999999999999999999', '1e3'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('misc' as const),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      path: fc.constantFrom(
        '/api/nope',
        '/api/accounts',
        '/api/transfers',
        '/api/accounts/x/y/z',
        '/api/admin/events?after=abc',
        '/api/admin/events?cursor=1.99999999999999999999',
      ),
    }),
  },
);

/** Slots 0–5: a sequence of ~20 actions reuses keys often enough to exercise replays and conflicts. */
const keyArb: fc.Arbitrary<KeyRef> = fc.record({ slot: fc.nat({ max: 5 }), quoted: fc.boolean() });

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      auth: authArb,
      key: keyArb,
      mutation: mutationArb,
      command: commandArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), auth: authArb, read: readArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('again' as const),
      pick: fc.nat({ max: 30 }),
      variant: fc.constantFrom('same' as const, 'other-api-key' as const, 'requote' as const, 'equivalent' as const),
    }),
  },
);

/**
 * One sequence that reaches a success and a client error of every customer operation: the fuzz runs
 * it first (fast-check's `examples`), so the coverage its test asserts never depends on the draw.
 */
export function coverageExample(): Action[] {
  const key = (customer: number) => ({ kind: 'key' as const, customer, key: 0 });
  const none = { kind: 'none' as const };
  const own = (pick: number): AccountRef => ({ kind: 'own', pick, upper: false });
  const amount = (cents: number): Amount => ({ value: money(cents), cents });
  const command = (slot: number, auth: Auth, sent: Command): Action => ({
    kind: 'command',
    auth,
    key: { slot, quoted: false },
    mutation: 'none',
    command: sent,
  });
  const open: Command = {
    type: 'open',
    name: { value: 'Coverage', trimmed: 'Coverage' },
    openingDeposit: amount(5_000),
  };
  const commands: Command[] = [
    { type: 'deposit', account: own(0), amount: amount(100) },
    { type: 'withdraw', account: own(0), amount: amount(100) },
    { type: 'transfer', from: own(0), to: { kind: 'own', pick: 1, spaced: false }, amount: amount(100) },
  ];
  const reads: Read[] = [{ type: 'list' }, { type: 'account', account: own(0) }, { type: 'events', account: own(0) }];
  return [
    command(0, key(0), open),
    command(1, key(0), open),
    command(2, none, open),
    ...commands.flatMap((sent, i) => [command(3 + 2 * i, key(0), sent), command(4 + 2 * i, none, sent)]),
    ...reads.flatMap((read) => [
      { kind: 'read' as const, auth: key(0), read },
      { kind: 'read' as const, auth: none, read },
    ]),
  ];
}
