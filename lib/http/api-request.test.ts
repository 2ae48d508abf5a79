import { describe, expect, it } from 'vitest';
import { readJsonBody } from './api-request';

// The JSON body of an API command, read as it arrives: UTF-8 checked, size counted while reading.

/** A POST whose body arrives in these chunks. */
function post(...chunks: Uint8Array[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request('http://idem.test/api/x', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit);
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('readJsonBody', () => {
  it('refuses a body that is not UTF-8 and reads the next one whole (one decoder serves every request)', async () => {
    const bad = await readJsonBody(post(Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])));
    expect(bad).toMatchObject({ ok: false, problem: { status: 400, detail: 'The request body is not valid UTF-8.' } });
    // A decoder left mid-character by the refused body would mangle the next one's first bytes.
    const cut = await readJsonBody(post(utf8('{"reference":"caf'), Uint8Array.from([0xc3])));
    expect(cut).toMatchObject({ ok: false, problem: { detail: 'The request body is not valid UTF-8.' } });
    expect(await readJsonBody(post(utf8('\ufeff{"reference":"€ café"}')))).toEqual({
      ok: true,
      value: { reference: '€ café' },
    });
  });

  it('joins a character split across chunks', async () => {
    const bytes = utf8('{"reference":"€5 for lunch"}');
    const at = bytes.indexOf(0xe2) + 1; // inside the euro sign's three bytes
    expect(await readJsonBody(post(bytes.slice(0, at), bytes.slice(at)))).toEqual({
      ok: true,
      value: { reference: '€5 for lunch' },
    });
  });
});
