import 'server-only';
import { APIError } from 'better-auth/api';
import type { HookContext } from '@/lib/auth/fresh-auth';
import { KEY_NAME_MAX, KEY_NAME_MESSAGES, NAME_MAX, NAME_MESSAGES } from '@/lib/auth/forms';
import { normalizePlainText, textProblemMessage, type PlainTextMessages } from '@/lib/text/plain-text';

// better-auth's endpoints take names straight from the request body (a customer's name at sign-up
// and on update, an API key's name), bypassing the forms' schemas: the same plain-text rule runs
// here, before every endpoint, for HTTP and auth.api calls alike (lib/text/plain-text.ts). A bad
// name is a 400 with code INVALID_NAME; a good one continues NFC-normalised.

const RULES: Record<string, { max: number; messages: PlainTextMessages }> = {
  '/sign-up/email': { max: NAME_MAX, messages: NAME_MESSAGES },
  '/update-user': { max: NAME_MAX, messages: NAME_MESSAGES },
  '/admin/create-user': { max: NAME_MAX, messages: NAME_MESSAGES },
  '/api-key/create': { max: KEY_NAME_MAX, messages: KEY_NAME_MESSAGES },
  '/api-key/update': { max: KEY_NAME_MAX, messages: KEY_NAME_MESSAGES },
};

export async function nameRule(ctx: HookContext) {
  const rule = RULES[ctx.path];
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!rule || !body || body.name === undefined) return;
  const { max, messages } = rule;
  if (typeof body.name !== 'string')
    throw APIError.from('BAD_REQUEST', { code: 'INVALID_NAME', message: messages.type });
  const checked = normalizePlainText(body.name, max);
  if (!checked.ok) {
    const { problem } = checked;
    const message =
      problem === 'empty'
        ? messages.empty
        : problem === 'too-long'
          ? messages.tooLong
          : textProblemMessage(messages.refused, problem);
    throw APIError.from('BAD_REQUEST', { code: 'INVALID_NAME', message });
  }
  return { context: { body: { ...body, name: checked.value } } };
}
