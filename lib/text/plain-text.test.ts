import { describe, expect, it } from 'vitest';
import { openAccountSchema } from '@/lib/accounts/form-schemas';
import { apiKeyNameSchema, signUpSchema } from '@/lib/auth/forms';

// Every free-text field of the forms (account name, customer name at sign-up,
// API key name) refuses control, format and unpaired-surrogate characters with a field error,
// normalises to NFC and counts its length in characters (code points), not UTF-16 units.

const NFC = 'Zoë Åström';
const NFD = NFC.normalize('NFD');

const fields = [
  {
    name: 'account name (open-account form)',
    max: 80,
    parse: (text: string) => openAccountSchema.safeParse({ commandId: 'k-1', owner: text, openingDeposit: '' }),
    field: 'owner',
  },
  {
    name: 'customer name (sign-up form)',
    max: 80,
    parse: (text: string) =>
      signUpSchema.safeParse({ name: text, email: 'ada@example.com', password: 'correct horse battery' }),
    field: 'name',
  },
  { name: 'API key name', max: 60, parse: (text: string) => apiKeyNameSchema.safeParse({ name: text }), field: 'name' },
];

const refused: [string, string, RegExp][] = [
  ['NUL', 'Ada\u0000Lovelace', /control character.*U\+0000/],
  ['a C0 control (BEL)', 'Ada\u0007', /control character.*U\+0007/],
  ['a line break inside', 'Ada\nLovelace', /control character.*U\+000A/],
  ['a C1 control (NEL)', 'Ada\u0085Lovelace', /control character.*U\+0085/],
  ['a right-to-left override', 'Ada\u202Egpj.exe', /invisible formatting character.*U\+202E/],
  ['a left-to-right isolate', '\u2066Ada', /invisible formatting character.*U\+2066/],
  ['a zero-width space', 'Ada\u200BLovelace', /invisible formatting character.*U\+200B/],
  ['a zero-width joiner', 'Ada\u200DLovelace', /invisible formatting character.*U\+200D/],
  ['a lone high surrogate', 'Ada\uD800', /unpaired surrogate/],
  ['a lone low surrogate', '\uDC00Ada', /unpaired surrogate/],
];

describe.each(fields)('$name', ({ parse, field, max }) => {
  it.each(refused)('refuses %s with a field error', (_label, text, message) => {
    const result = parse(text);
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((i) => i.path[0] === field);
    expect(issue?.message).toMatch(message);
  });

  it('normalises to NFC: the same name typed in NFD and NFC is the same value', () => {
    const a = parse(NFD);
    const b = parse(NFC);
    expect(a.success && b.success).toBe(true);
    expect((a.data as Record<string, unknown>)[field]).toBe(NFC);
    expect((b.data as Record<string, unknown>)[field]).toBe(NFC);
  });

  it(`counts characters, not UTF-16 units: ${max} emoji pass, ${max + 1} do not`, () => {
    expect(parse('😀'.repeat(max)).success).toBe(true);
    const over = parse('😀'.repeat(max + 1));
    expect(over.success).toBe(false);
    expect(over.error!.issues.find((i) => i.path[0] === field)?.message).toMatch(
      new RegExp(`at most ${max} characters`),
    );
  });

  it('accepts ordinary names in any script, and trims the ends', () => {
    for (const text of ['Ada Lovelace', 'Zoë', 'محمد', '山田 太郎', 'Ελένη', 'O’Brien-Smith', '🚀 Rocket fund'])
      expect(parse(text).success).toBe(true);
    const trimmed = parse('  Ada  ');
    expect((trimmed.data as Record<string, unknown>)[field]).toBe('Ada');
  });
});
