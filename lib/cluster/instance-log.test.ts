import { describe, expect, it } from 'vitest';
import { countLine, countUnexpectedExit, errorKind, lineSplitter, newInstanceErrors } from './instance-log';

const UNEXPECTED = '{"level":50,"msg":"unexpected error in API route","err":{"message":"boom"}}';
const UNAVAILABLE = '{"level":40,"msg":"database unavailable"}';

/** Feeds `chunks` through a splitter into a counter, as the cluster does with an instance's pipe. */
function count(chunks: string[]) {
  const errors = newInstanceErrors();
  const notices = { unavailable: 0 };
  const lines: string[] = [];
  const splitter = lineSplitter((line) => {
    lines.push(line);
    countLine(line, errors, notices);
  });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.flush();
  return { errors, notices, lines };
}

describe('errorKind', () => {
  it('names a 500 and an escaped error, and nothing else', () => {
    expect(errorKind(UNEXPECTED)).toBe('internal');
    expect(errorKind('Error: uncaughtException: boom')).toBe('uncaught');
    expect(errorKind('Unhandled Rejection at: Promise')).toBe('uncaught');
    expect(errorKind(UNAVAILABLE)).toBeNull();
    expect(errorKind('{"level":30,"msg":"command finished"}')).toBeNull();
  });
});

describe('the instance log counter', () => {
  it('counts a line split across two chunks once, whole', () => {
    const cut = UNEXPECTED.indexOf('error');
    const { errors, lines } = count([
      '{"msg":"before"}\n' + UNEXPECTED.slice(0, cut),
      UNEXPECTED.slice(cut) + '\n{"msg":"after"}\n',
    ]);
    expect(lines).toEqual(['{"msg":"before"}', UNEXPECTED, '{"msg":"after"}']);
    expect(errors).toMatchObject({ internal: 1, uncaught: 0, excerpts: [UNEXPECTED] });
  });

  it('counts a line split into many chunks, and the last line without a newline', () => {
    const { errors, notices } = count([...UNAVAILABLE.split(''), '\n', ...UNEXPECTED.split('')]);
    expect(notices.unavailable).toBe(1);
    expect(errors.internal).toBe(1);
  });

  it('splitting every line at every position never loses or invents a count', () => {
    const text = `${UNAVAILABLE}\n${UNEXPECTED}\nuncaught exception\n${UNAVAILABLE}\n`;
    for (let at = 0; at <= text.length; at++) {
      const { errors, notices } = count([text.slice(0, at), text.slice(at)]);
      expect({ at, internal: errors.internal, uncaught: errors.uncaught, unavailable: notices.unavailable }).toEqual({
        at,
        internal: 1,
        uncaught: 1,
        unavailable: 2,
      });
    }
  });

  it('keeps excerpts of an exit nobody asked for', () => {
    const errors = newInstanceErrors();
    countUnexpectedExit(errors, 'SIGSEGV');
    expect(errors).toMatchObject({ unexpectedExits: 1, excerpts: [expect.stringContaining('SIGSEGV')] });
  });
});
