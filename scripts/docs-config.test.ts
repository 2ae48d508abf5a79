import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../lib/config';
import { CONFIGURATION_DOC, renderConfigurationDoc } from './docs-config';

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` writes from the environment schema today (run it after changing lib/config.ts)', async () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(await renderConfigurationDoc());
  });

  it('names every variable the schema validates', async () => {
    const doc = await renderConfigurationDoc();
    for (const name of Object.keys(envSchema.shape)) expect(doc).toContain(`\`${name}\``);
  });
});
