import { CairnError, DeployCodes } from '../../protocols/index.ts';
import type { Message } from '../../kernel/index.ts';

const EXAMPLE = `'{"type":"greet","name":"Ada"}'`;
/** The largest message argument read: a message must fit in one server message (1 MiB by default). */
export const MAX_MESSAGE_BYTES = 1_048_576;
/** Longer inputs are not re-parsed prefix by prefix to find the position of the error. */
const MAX_SCAN = 20_000;

/**
 * Parses the message argument of `cairn tell` / `cairn ask`: JSON text holding an object with a
 * non-empty string `type`. Errors name the bad text and where it breaks (position, line, column,
 * with a caret under it), and say how to write it.
 */
export function parseJsonMessage(text: string, argName = 'message'): Message {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new CairnError(DeployCodes.INPUT_TOO_LARGE, `${argName} is ${bytes} bytes: at most ${MAX_MESSAGE_BYTES} are read (a message must fit in one server message)`, { details: { bytes, max: MAX_MESSAGE_BYTES } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = (err as Error).message.replace(/,? ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    const pos = errorPosition(text, (err as Error).message);
    const where = pos === undefined ? '' : ` at position ${pos} (${lineColumn(text, pos)})`;
    throw new CairnError(
      DeployCodes.CLI_INVALID_JSON,
      `${argName} ${JSON.stringify(abbreviate(text))} is not valid JSON: ${reason}${where}.` +
        (pos === undefined ? '' : `\n${caret(text, pos)}`) +
        `\nWrite a JSON object and quote it for the shell, e.g. ${EXAMPLE}.`,
      { cause: err, details: { text, position: pos } },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    throw new CairnError(DeployCodes.CLI_MESSAGE_TYPE_MISSING, `${argName} ${JSON.stringify(abbreviate(text))} is ${got}; expected a JSON object with a "type" field, e.g. ${EXAMPLE}.`, { details: { text } });
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || type === '') {
    throw new CairnError(
      DeployCodes.CLI_MESSAGE_TYPE_MISSING,
      `${argName} ${JSON.stringify(abbreviate(text))} has ${type === undefined ? 'no "type" field' : `"type": ${JSON.stringify(type)}`}; every message needs a non-empty string "type" naming the case the actor handles, e.g. ${EXAMPLE}.`,
      { details: { text } },
    );
  }
  return value as Message;
}

/**
 * Where JSON.parse gave up. V8 names the position for some errors only ("Unexpected token 'x'"
 * has none), so otherwise find the shortest prefix that fails for a reason other than ending early.
 */
export function errorPosition(text: string, message: string): number | undefined {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  if (text.length > MAX_SCAN) return undefined;
  for (let i = 1; i <= text.length; i++) {
    const prefix = text.slice(0, i);
    try {
      JSON.parse(prefix);
    } catch (err) {
      const m = (err as Error).message;
      if (/Unexpected end of JSON input/.test(m)) continue;
      const at = /at position (\d+)/.exec(m);
      if (at && Number(at[1]) >= prefix.length) continue;
      return i - 1;
    }
  }
  return undefined;
}

function lineColumn(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

function caret(text: string, pos: number): string {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  const endNl = text.indexOf('\n', pos);
  const lineText = text.slice(start, endNl === -1 ? undefined : endNl);
  const col = pos - start;
  // Long lines are cut around the error so the caret stays on screen.
  const from = Math.max(0, col - 40);
  const shown = lineText.slice(from, from + 80);
  return `  ${shown}\n  ${' '.repeat(col - from)}^`;
}

function abbreviate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
