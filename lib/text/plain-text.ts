// The one rule for free text people type (account names, customer names, API key names), used by
// the forms (browser and server action), the JSON API and better-auth's endpoints alike:
// - no control characters (Cc: NUL, line breaks, escape sequences): NUL cannot even be stored by
//   PostgreSQL, the others break logs, CSV exports and terminals;
// - no format characters (Cf: bidirectional overrides and isolates, zero-width spaces and joiners,
//   byte-order marks): invisible, they make one name look like another ("Invoice‮fdp.exe");
// - no unpaired surrogates (Cs): not Unicode text, PostgreSQL refuses them;
// - normalised to NFC, so the same name typed as NFD and NFC is the same value (and the same command
//   fingerprint: lib/event-store/fingerprint.ts hashes what arrives here);
// - lengths in characters (code points), not UTF-16 units: an emoji is one character.
// Pure (no I/O): the browser bundles it with the forms.
import { z } from 'zod';

export type TextProblem = { kind: 'control' | 'format' | 'surrogate'; codePoint: number; index: number };

const CLASSES = [
  { kind: 'surrogate', pattern: /\p{Cs}/u },
  { kind: 'control', pattern: /\p{Cc}/u },
  { kind: 'format', pattern: /\p{Cf}/u },
] as const;

/** The first character this rule refuses, or null. `index` counts characters from 1. */
export function textProblem(text: string): TextProblem | null {
  let index = 0;
  for (const char of text) {
    index++;
    const found = CLASSES.find((c) => c.pattern.test(char));
    if (found) return { kind: found.kind, codePoint: char.codePointAt(0)!, index };
  }
  return null;
}

/** Length in characters (code points). */
const characterCount = (text: string) => Array.from(text).length;

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

const WHAT = {
  control: 'control characters',
  format: 'invisible formatting characters',
  surrogate: 'an unpaired surrogate (not valid Unicode text)',
} as const;

export function textProblemMessage(prefix: string, problem: TextProblem): string {
  return `${prefix} ${WHAT[problem.kind]} (${hex(problem.codePoint)} at character ${problem.index})`;
}

export type PlainTextMessages = {
  /** Not a string at all. */
  type: string;
  empty: string;
  tooLong: string;
  /** Put before "control characters (U+0000 at character 4)", e.g. "must not contain". */
  refused: string;
};

/** Checks, NFC-normalises and trims free text; the result is what is stored. */
export function normalizePlainText(
  text: string,
  max: number,
): { ok: true; value: string } | { ok: false; problem: 'empty' | 'too-long' | TextProblem } {
  const value = text.normalize('NFC').trim();
  const problem = textProblem(value);
  if (problem) return { ok: false, problem };
  if (value.length === 0) return { ok: false, problem: 'empty' };
  if (characterCount(value) > max) return { ok: false, problem: 'too-long' };
  return { ok: true, value };
}

/** A zod field for free text: every form and API schema builds its text fields with this. */
export function plainText(max: number, messages: PlainTextMessages) {
  return z
    .string({ error: messages.type })
    .transform((text, ctx) => {
      const checked = normalizePlainText(text, max);
      if (checked.ok) return checked.value;
      const { problem } = checked;
      const message =
        problem === 'empty'
          ? messages.empty
          : problem === 'too-long'
            ? messages.tooLong
            : textProblemMessage(messages.refused, problem);
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    })
    .meta({
      type: 'string',
      minLength: 1,
      maxLength: max,
      description: `At most ${max} characters; no control, invisible formatting or unpaired surrogate characters.`,
    });
}
