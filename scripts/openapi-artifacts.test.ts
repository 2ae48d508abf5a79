import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentTypes, TYPES_FILE } from './openapi-artifacts';

// The committed API types (the typed client of the tests and of docs/examples) follow the document.

describe('lib/http/openapi-types.ts', () => {
  it('is what `npm run openapi:types` makes from the current document', async () => {
    const committed = readFileSync(TYPES_FILE, 'utf8');
    expect(
      committed === (await documentTypes()),
      'lib/http/openapi-types.ts is stale: run `npm run openapi:types` and commit it',
    ).toBe(true);
  });

  it('would notice a change of the document (the comparison can fail)', async () => {
    const generated = await documentTypes();
    expect(generated).toContain("operations['withdrawMoney']");
    expect(generated.replace("'Idempotent-Replayed'", "'Idempotent-Replayed-Renamed'")).not.toBe(
      readFileSync(TYPES_FILE, 'utf8'),
    );
  });
});
