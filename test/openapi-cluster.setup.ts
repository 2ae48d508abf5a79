// Cluster-test setup: a test fails when an API answer its clients received does not match the
// OpenAPI document (collected by test/openapi-validator.ts's checkAnswer).
import { afterEach, expect } from 'vitest';
import { takeViolations } from './openapi-validator';

afterEach(() => {
  expect(takeViolations(), 'API answers that do not match the OpenAPI document (lib/http/openapi.ts)').toEqual([]);
});
