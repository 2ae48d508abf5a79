// Cluster-test setup: every API answer the clients receive (test/api-client.ts, test/storm.ts) is
// validated against the OpenAPI document, and a test fails when one does not match.
import { afterEach, expect } from 'vitest';
import { checkAnswersWith } from './api-client';
import { checkAnswer, takeViolations } from './openapi-validator';

checkAnswersWith(checkAnswer);

afterEach(() => {
  expect(takeViolations(), 'API answers that do not match the OpenAPI document (lib/http/openapi.ts)').toEqual([]);
});
