import { describe, expect, it } from 'vitest';
import { appDatabase } from '@/test/auth';
import { searchCustomers } from './customers';
import { decodeCursor, listCommands, readCursor } from './log-queries';

// The ops console's free-text inputs never carry a NUL (or another control character) to PostgreSQL,
// which cannot even compare text holding one: they are refused with a message, nothing is queried.

appDatabase();

describe('NUL in the ops console’s inputs', () => {
  it('/admin/customers?q= with a NUL: a clear message, nothing searched', async () => {
    await expect(searchCustomers('ada\u0000')).resolves.toEqual({
      customers: [],
      matching: 0,
      problem: 'A search cannot contain control characters (U+0000 at character 4)',
    });
  });

  it('a command-log cursor holding a NUL is refused as invalid and never reaches a query', async () => {
    const cursor = Buffer.from(`${new Date().toISOString()} evil\u0000id`).toString('base64url');
    expect(readCursor(cursor)).toBe('invalid'); // the page says so (role=alert) and shows the newest commands
    await expect(listCommands({ before: decodeCursor(cursor), after: undefined })).resolves.toMatchObject({
      commands: [],
    });
  });
});
