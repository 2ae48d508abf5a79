// What an endpoint may be, as one schema for the API and the settings form; the event types are
// data (PUBLISHED_EVENT_TYPES, lib/public-events/public-forms.ts): account events and standing-order outcomes.
import { z } from 'zod';
import { PUBLISHED_EVENT_TYPES } from '@/lib/public-events/public-forms';
import { urlProblem } from './address-rules';

export const MAX_ENDPOINTS_PER_CUSTOMER = 10;
/** During a rotation the previous secret keeps signing this long. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** The type of a test delivery ("Send test event"); endpoints receive it whatever they subscribe to. */
export const TEST_EVENT_TYPE = 'webhook.test';

const endpointUrl = z.string().superRefine((value, context) => {
  const problem = urlProblem(value.trim());
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

export const newEndpointBody = z
  .object({
    url: endpointUrl,
    eventTypes: z
      .array(z.enum(PUBLISHED_EVENT_TYPES, { error: `must be one of ${PUBLISHED_EVENT_TYPES.join(', ')}` }))
      .max(PUBLISHED_EVENT_TYPES.length)
      .optional(),
  })
  .strict();

export const replayBody = z
  .object({
    from: z.iso.datetime({ offset: true, error: 'must be a date and time like 2026-12-06T10:00:00Z' }),
  })
  .strict();

export const emptyBody = z.object({}).strict();

/** PATCH /api/webhook-endpoints/{id}: what may be set (today only whether it is enabled). */
export const endpointUpdateBody = z
  .object({
    enabled: z.boolean({
      error: (issue) => (issue.input === undefined ? 'is required: true or false' : 'must be true or false'),
    }),
  })
  .strict();
