import 'server-only';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '@/lib/http/problem';
import { standingOrderRequestExamples, standingOrderResponseExamples } from '@/lib/http/openapi-standing-orders';

// Examples for the OpenAPI document (lib/http/openapi.ts). Spectral's `oas3-valid-media-example`
// validates each one against its schema when `npm run check:openapi` lints the document, so an example
// that drifts from the schema fails the checks.

const ACCOUNT_ID = '0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61';
const OTHER_ACCOUNT_NUMBER = '100000000026';
const account = { id: ACCOUNT_ID, accountNumber: '100000000018', name: 'Everyday', balance: '100.00', version: 2 };
const UPDATED_AT = '2026-12-06T09:30:00.000Z';

export const EXAMPLE_ACCOUNT_ID = ACCOUNT_ID;
export const EXAMPLE_IDEMPOTENCY_KEY = '"8e03978e-40d5-43e8-bc93-6894a57f9324"';

export const requestExamples = {
  OpenAccountRequest: { name: 'Everyday', openingDeposit: '100.00' },
  MoneyMovementRequest: { amount: '12.34' },
  TransferRequest: {
    from: ACCOUNT_ID,
    toAccountNumber: OTHER_ACCOUNT_NUMBER,
    amount: '12.34',
    reference: 'Invoice 2026-114',
  },
  ...standingOrderRequestExamples,
};

/** Two events of GET /api/accounts/{id}/events/stream, as they arrive. */
export const EVENT_STREAM_EXAMPLE = [
  'retry: 2000',
  '',
  'id: 42',
  'event: transfer.received',
  `data: {"type":"transfer.received","timestamp":"${UPDATED_AT}","data":{"schemaVersion":1,"eventId":"evt_account-${ACCOUNT_ID}_3","accountId":"${ACCOUNT_ID}","accountNumber":"${OTHER_ACCOUNT_NUMBER}","version":3,"amount":"5.00","balance":"105.00","currency":"USD","at":"${UPDATED_AT}","transferId":"c4f0b7c2-8a0e-4c57-9b9e-2f1f0f7b6d11","from":{"name":"G. H*****","accountNumber":"100000000008"},"reference":"Invoice 2026-114"}}`,
  '',
  ': keep-alive',
  '',
  '',
].join('\n');

export const responseExamples = {
  Account: account,
  AccountState: { ...account, updatedAt: UPDATED_AT },
  AccountList: { accounts: [{ ...account, updatedAt: UPDATED_AT }] },
  Movement: {
    accountId: ACCOUNT_ID,
    amount: '12.34',
    balance: '87.66',
    version: 3,
    commandId: '8e03978e-40d5-43e8-bc93-6894a57f9324',
  },
  Transfer: {
    transferId: 'c4f0b7c2-8a0e-4c57-9b9e-2f1f0f7b6d11',
    from: ACCOUNT_ID,
    toAccountNumber: OTHER_ACCOUNT_NUMBER,
    amount: '12.34',
    fromBalance: '87.66',
    reference: 'Invoice 2026-114',
  },
  EventList: {
    events: [
      {
        globalPosition: '41',
        version: 1,
        type: 'AccountOpened',
        data: { accountId: ACCOUNT_ID, owner: 'Everyday' },
        createdAt: UPDATED_AT,
      },
      {
        globalPosition: '42',
        version: 2,
        type: 'MoneyDeposited',
        data: { accountId: ACCOUNT_ID, amountCents: 10000 },
        createdAt: UPDATED_AT,
      },
    ],
    nextCursor: null,
  },
  Live: { status: 'live' },
  Ready: { status: 'ready' },
  ...standingOrderResponseExamples,
};

const DETAILS: Partial<Record<ProblemType, { detail: string; [extension: string]: unknown }>> = {
  forbidden: {
    detail:
      'This API key may only read. Moving money and other changes need a key with the write scope (create one at /settings/api-keys).',
  },
  'validation-failed': {
    detail: 'amount must be a decimal string with at most 2 decimals, like "12.34"',
    errors: [{ pointer: '/amount', detail: 'must be a decimal string with at most 2 decimals, like "12.34"' }],
  },
  'invalid-request': {
    detail: 'limit must be a whole number from 1 to 1000',
    errors: [{ parameter: 'limit', detail: 'limit must be a whole number from 1 to 1000' }],
  },
  'insufficient-funds': {
    detail: 'The balance is 10.00; cannot withdraw 12.34.',
    accountId: ACCOUNT_ID,
    balance: '10.00',
    requested: '12.34',
  },
  'too-many-streams': {
    detail:
      'This customer already has 5 event streams open, the most allowed at once. Close one (a tab of the account page, a client) and retry.',
    limit: 5,
  },
  'too-many-requests': {
    detail: 'This customer is over its API request limit (every key and session together); retry in 3 s.',
  },
};

/** One example per problem type of a status, named by the type. */
export function problemExamples(types: ProblemType[]): Record<string, { summary: string; value: unknown }> {
  return Object.fromEntries(
    types.map((type) => {
      const { status, title } = PROBLEM_TYPES[type];
      const { detail, ...extensions } = DETAILS[type] ?? { detail: `${title}.` };
      return [type, { summary: title, value: { type: problemTypeUri(type), title, status, detail, ...extensions } }];
    }),
  );
}
