import { Packr, Unpackr } from 'msgpackr';
import { CairnError } from './errors/cairn-error.ts';
import { KernelCodes } from './errors/kernel-codes.ts';

/** Wire version of the envelope. Bumped only for incompatible changes; see protocols/README.md. */
export const ENVELOPE_VERSION = 1;

/** Reserved message types. User message types must not start with `cairn.`. */
export const EnvelopeTypes = {
  reply: 'cairn.reply',
  error: 'cairn.error',
} as const;
export type EnvelopeTypes = (typeof EnvelopeTypes)[keyof typeof EnvelopeTypes];

/**
 * Every message on the wire. Encoded as a standard MessagePack map with these keys, in this order,
 * optional keys omitted when absent (see protocols/README.md for the byte-level rules).
 */
export interface Envelope<B = unknown> {
  /** Envelope version, always {@link ENVELOPE_VERSION} when encoding. */
  readonly v: number;
  /** Unique message id; also the `Nats-Msg-Id` header, so JetStream drops duplicates. */
  readonly id: string;
  /** Message type: the `type` tag of the payload, or a reserved `cairn.*` type. */
  readonly type: string;
  /** Sender address `"<site>/<actor>"`, or `"<site>/~<node>"` for code outside any actor. */
  readonly from?: string;
  /** Target address `"<site>/<actor>"`. */
  readonly to: string;
  /** Correlation id: set on asks, copied to the reply. */
  readonly cid?: string;
  /** Core NATS subject the reply goes to (asks only). */
  readonly reply?: string;
  /** Free-form string headers (tracing, tenant...). */
  readonly hdr?: Readonly<Record<string, string>>;
  /** Milliseconds since the Unix epoch when the message was created. */
  readonly ts: number;
  /** The payload: any MessagePack value. */
  readonly body: B;
}

/** Body of a `cairn.error` reply. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

const KEY_ORDER = ['v', 'id', 'type', 'from', 'to', 'cid', 'reply', 'hdr', 'ts', 'body'] as const;

// useRecords:false keeps plain MessagePack maps (readable by any msgpack library);
// encodeUndefinedAsNil avoids msgpackr's private extension for `undefined`.
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, int64AsType: 'number', mapsAsObjects: true });

/** Encodes an envelope; the timestamp is written as an integer (uint64), never a float. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) {
    const value = key === 'body' ? (envelope.body ?? null) : envelope[key];
    if (value === undefined) continue;
    ordered[key] = key === 'ts' ? BigInt(Math.trunc(value as number)) : value;
  }
  return packr.pack(ordered);
}

/** Encodes any value with the same MessagePack settings as envelopes (used for persisted state). */
export function encodeValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decodeValue(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}

/**
 * Decodes and checks an envelope. Throws CAIRN_UNDECODABLE naming what is wrong; the kernel sends
 * such messages to the dead-letter stream with that reason.
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  let raw: unknown;
  try {
    raw = unpackr.unpack(bytes);
  } catch (cause) {
    throw undecodable(`payload is not MessagePack (${(cause as Error).message})`, cause);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw undecodable(`payload is MessagePack but not a map (got ${describe(raw)})`);
  }
  const m = raw as Record<string, unknown>;
  if (m.v !== ENVELOPE_VERSION) {
    throw undecodable(`envelope version ${JSON.stringify(m.v)} is not supported (this node speaks v${ENVELOPE_VERSION})`);
  }
  for (const key of ['id', 'type', 'to'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') throw undecodable(`envelope field "${key}" must be a non-empty string (got ${describe(m[key])})`);
  }
  for (const key of ['from', 'cid', 'reply'] as const) {
    if (m[key] !== undefined && typeof m[key] !== 'string') throw undecodable(`envelope field "${key}" must be a string (got ${describe(m[key])})`);
  }
  if (typeof m.ts !== 'number' || !Number.isInteger(m.ts)) throw undecodable(`envelope field "ts" must be an integer (got ${describe(m.ts)})`);
  if (m.hdr !== undefined && !isStringRecord(m.hdr)) throw undecodable('envelope field "hdr" must be a map of strings to strings');
  return m as unknown as Envelope;
}

function undecodable(message: string, cause?: unknown): CairnError {
  return new CairnError(KernelCodes.UNDECODABLE, `undecodable message: ${message}`, { cause });
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}
