import { describe, expect, it } from 'vitest';
import { parseJsonMessage } from '../../../deploy/cli/index.ts';
import { DeployCodes, isCairnError } from '../../../protocols/index.ts';

function failure(text: string): Error & { code: string; details: Record<string, unknown> } {
  try {
    parseJsonMessage(text);
  } catch (err) {
    if (isCairnError(err)) return err as never;
    throw err;
  }
  throw new Error(`parseJsonMessage accepted ${text}`);
}

describe('parseJsonMessage', () => {
  it('parseJsonMessage - a message over 1 MiB is refused before parsing, naming the cap', () => {
    const big = JSON.stringify({ type: 'x', pad: 'y'.repeat(1_100_000) });
    const err = (() => {
      try {
        parseJsonMessage(big);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isCairnError(err, DeployCodes.INPUT_TOO_LARGE)).toBe(true);
    expect((err as Error).message).toContain('1048576');
  });


  it('parseJsonMessage - returns the object when it has a string type', () => {
    expect(parseJsonMessage('{"type":"greet","name":"Ada"}')).toEqual({ type: 'greet', name: 'Ada' });
  });

  it('parseJsonMessage - names the bad JSON and the position of an unexpected token', () => {
    const err = failure('{"type":}');
    expect(err.code).toBe(DeployCodes.CLI_INVALID_JSON);
    expect(err.message).toContain('"{\\"type\\":}"');
    expect(err.message).toContain('at position 8 (line 1, column 9)');
    expect(err.message).toContain('  {"type":}\n          ^');
    expect(err.details.position).toBe(8);
  });

  it('parseJsonMessage - finds the position of shell-mangled JSON (unquoted keys)', () => {
    const err = failure("{type:'greet'}");
    expect(err.message).toContain('at position 1');
    expect(err.message).toContain('quote it for the shell');
  });

  it('parseJsonMessage - reports input that ends too early at its end', () => {
    const err = failure('{"type":"a"');
    expect(err.message).toContain('at position 11');
    expect(failure('').code).toBe(DeployCodes.CLI_INVALID_JSON);
  });

  it('parseJsonMessage - counts lines and columns in multi-line JSON', () => {
    expect(failure('{\n  "type": "a",\n  x\n}').message).toContain('(line 3, column 3)');
  });

  it('parseJsonMessage - rejects non-objects and objects without a string type', () => {
    expect(failure('[1,2]').message).toContain('is an array');
    expect(failure('"greet"').message).toContain('is a string');
    expect(failure('{"name":"Ada"}').message).toContain('has no "type" field');
    const typed = failure('{"type":3}');
    expect(typed.code).toBe(DeployCodes.CLI_MESSAGE_TYPE_MISSING);
    expect(typed.message).toContain('"type": 3');
  });
});
