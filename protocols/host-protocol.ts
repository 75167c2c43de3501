import { CairnError } from './errors/cairn-error.ts';
import { KernelCodes } from './errors/kernel-codes.ts';
import { decodeValue, encodeValue } from './envelope.ts';
import type { Envelope, ErrorBody } from './envelope.ts';

/**
 * The host protocol: how a node runs an actor's handler outside its own event loop (a worker
 * thread, a child process, a container), in any language. The node keeps the mailbox (order,
 * retries, dead letters, acks, persisted state); the guest keeps the live state and runs the
 * handler. Frames are msgpack maps; over a byte stream each frame is a 4-byte big-endian length
 * followed by that many bytes. See protocols/README.md, "Host protocol".
 */
export const HOST_PROTOCOL_VERSION = 1;

/** A message the handler sends; the node publishes it after the handler succeeds, before the ack. */
export interface GuestSend {
  /** Target address "<site>/<actor>". */
  readonly to: string;
  /** Deterministic id (`<incoming id>/<n>`), so a retried handler's sends are de-duplicated. */
  readonly id: string;
  readonly body: { readonly type: string } & Record<string, unknown>;
  /** String headers of the envelope (TellOptions.headers). */
  readonly hdr?: Readonly<Record<string, string>>;
  /** Time to live in ms, at least 1000 (TellOptions.ttl). */
  readonly ttl?: number;
}

/** Node → guest. */
export type NodeFrame =
  /** Start an incarnation with this state (persisted, or undefined: the guest makes its initial state). */
  | { readonly t: 'init'; readonly v: number; readonly id: string; readonly site: string; readonly node: string; readonly state?: { readonly value: unknown }; readonly config?: Readonly<Record<string, unknown>> }
  /** Handle one message; `n` numbers requests. */
  | { readonly t: 'msg'; readonly n: number; readonly env: Envelope; readonly attempt: number }
  /** The answer to a guest's `ask`. */
  | { readonly t: 'asked'; readonly n: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'asked'; readonly n: number; readonly ok: false; readonly error: ErrorBody }
  /** Run onStop, answer `stopped`, exit. */
  | { readonly t: 'stop' };

/** Guest → node. */
export type GuestFrame =
  /** The incarnation started; `state` is its initial state when init carried none. */
  | { readonly t: 'ready'; readonly state?: { readonly value: unknown } }
  | { readonly t: 'failed'; readonly error: string; readonly code?: string }
  /** Message `n` handled: its reply, its new state if it changed, what it sent. */
  | { readonly t: 'done'; readonly n: number; readonly reply?: unknown; readonly state?: { readonly value: unknown }; readonly sends: readonly GuestSend[] }
  /** Message `n` failed; the guest has discarded any state change it made. */
  | { readonly t: 'error'; readonly n: number; readonly error: string; readonly code?: string }
  /** Ask another actor on the guest's behalf; answered with `asked`. */
  | { readonly t: 'ask'; readonly n: number; readonly to: string; readonly body: { readonly type: string } & Record<string, unknown>; readonly timeout: number; readonly hdr?: Readonly<Record<string, string>>; readonly ttl?: number }
  | { readonly t: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly msg: string }
  | { readonly t: 'stopped' };

/** Encodes one frame with its 4-byte big-endian length prefix. */
export function encodeFrame(frame: NodeFrame | GuestFrame): Uint8Array {
  const body = encodeValue(frame);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, false);
  out.set(body, 4);
  return out;
}

/** The largest frame accepted (64 MiB): a larger length prefix means a corrupt stream. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Splits a byte stream into frames. Feed it chunks as they arrive; it returns the complete frames
 * and keeps the rest. Throws CAIRN_UNDECODABLE on a corrupt stream.
 */
export class FrameDecoder {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): unknown[] {
    const merged = new Uint8Array(this.buffer.length + chunk.length);
    merged.set(this.buffer, 0);
    merged.set(chunk, this.buffer.length);
    const frames: unknown[] = [];
    let offset = 0;
    while (merged.length - offset >= 4) {
      const size = new DataView(merged.buffer, merged.byteOffset + offset, 4).getUint32(0, false);
      if (size > MAX_FRAME_BYTES) {
        throw new CairnError(KernelCodes.UNDECODABLE, `host protocol frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}: the stream is corrupt (did the guest print to stdout? use stderr for logs)`);
      }
      if (merged.length - offset - 4 < size) break;
      const body = merged.subarray(offset + 4, offset + 4 + size);
      try {
        frames.push(decodeValue(body));
      } catch (cause) {
        throw new CairnError(KernelCodes.UNDECODABLE, `host protocol frame is not MessagePack: ${(cause as Error).message}`, { cause });
      }
      offset += 4 + size;
    }
    this.buffer = merged.slice(offset);
    return frames;
  }
}
