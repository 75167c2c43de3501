import { CairnError } from './errors/cairn-error.ts';
import { KernelCodes } from './errors/kernel-codes.ts';
import { decodeValue, encodeValue } from './envelope.ts';
import type { GuestFrame, NodeFrame } from './host-protocol.ts';

/**
 * Node hosting: how a site's leader runs an actor's guest on another node of the same site. The
 * leader keeps the mailbox and the supervisors; the host node launches the guest with its own
 * launcher and relays host-protocol frames over core NATS, one frame per message (no length
 * prefix). See protocols/README.md, "Node hosting"; subjects come from `NodeHostSubjects`.
 */
export const NODE_HOST_PROTOCOL_VERSION = 1;

/** How often a leader pings each guest it runs on another node. @default 1000 */
export const LEADER_PING_INTERVAL_MS = 1_000;

/**
 * How long a host node lets a guest run without hearing from its leader (no ping, no frame) before
 * it kills it, so an orphan never runs on after its leader died or was cut off. Five pings, as
 * for node heartbeats (protocols/node-liveness.ts): a few seconds of jitter on an edge link is
 * routine, and by then the leader counts the host as lost too and has given up the guest.
 */
export const LEADER_SILENCE_TIMEOUT_MS = LEADER_PING_INTERVAL_MS * 5;

/**
 * A runtime spec as it travels: `mode` plus that mode's fields (see kernel/runtime-spec.ts). The
 * host's launcher for the mode checks the fields.
 */
export interface HostedSpec {
  readonly mode: string;
  readonly [field: string]: unknown;
}

/** Resource use of a hosted guest. */
export interface HostedUsage {
  readonly cpuPercent: number;
  readonly memoryBytes: number;
}

/** Leader → host node: core requests on `NodeHostSubjects.control(site, host)`. */
export type HostRequest =
  /** Launch a guest; `incarnation` names its frame subjects. */
  | { readonly v: number; readonly t: 'start'; readonly actor: string; readonly incarnation: string; readonly leader: string; readonly spec: HostedSpec }
  /** Kill the guest; answered once it is gone (and its `exit` was published). */
  | { readonly v: number; readonly t: 'kill'; readonly incarnation: string }
  | { readonly v: number; readonly t: 'usage'; readonly incarnation: string }
  | { readonly v: number; readonly t: 'logs'; readonly incarnation: string };

/** Host node → leader: the answers to `HostRequest`s. */
export type HostReply =
  | { readonly v: number; readonly t: 'started'; readonly describe: string }
  /** `found: false`: no such guest runs (it had already exited). */
  | { readonly v: number; readonly t: 'killed'; readonly found: boolean }
  | { readonly v: number; readonly t: 'usage'; readonly usage?: HostedUsage }
  | { readonly v: number; readonly t: 'logs'; readonly lines: readonly string[] }
  | { readonly v: number; readonly t: 'failed'; readonly code: string; readonly error: string };

/** Leader → guest, on `NodeHostSubjects.toGuest`. Any message proves the leader alive. */
export type LeaderMessage = { readonly t: 'frame'; readonly frame: NodeFrame } | { readonly t: 'ping' };

/** Host node → leader, on `NodeHostSubjects.fromGuest`. `exit` is the last message of an incarnation. */
export type HostedGuestMessage = { readonly t: 'frame'; readonly frame: GuestFrame } | { readonly t: 'exit'; readonly reason: string; readonly code: string };

/** Encodes any node-hosting message (one NATS message each). */
export function encodeNodeHostMessage(message: HostRequest | HostReply | LeaderMessage | HostedGuestMessage): Uint8Array {
  return encodeValue(message);
}

const REQUESTS = ['start', 'kill', 'usage', 'logs'] as const;
const REPLIES = ['started', 'killed', 'usage', 'logs', 'failed'] as const;

/** Decodes and checks a request; throws CAIRN_UNDECODABLE naming what is wrong. */
export function decodeHostRequest(bytes: Uint8Array): HostRequest {
  const m = decodeTagged(bytes, 'host request', REQUESTS, true);
  requireStrings(m, 'host request', m.t === 'start' ? ['incarnation', 'actor', 'leader'] : ['incarnation']);
  if (m.t === 'start' && (!isRecord(m.spec) || typeof m.spec.mode !== 'string')) {
    throw undecodable('host request "start" has no spec with a string "mode"');
  }
  return m as unknown as HostRequest;
}

/** Decodes and checks a reply; throws CAIRN_UNDECODABLE naming what is wrong. */
export function decodeHostReply(bytes: Uint8Array): HostReply {
  const m = decodeTagged(bytes, 'host reply', REPLIES, true);
  if (m.t === 'started') requireStrings(m, 'host reply', ['describe']);
  if (m.t === 'failed') requireStrings(m, 'host reply', ['code', 'error']);
  if (m.t === 'logs' && !(Array.isArray(m.lines) && m.lines.every((l) => typeof l === 'string'))) throw undecodable('host reply "logs" has no string array "lines"');
  return m as unknown as HostReply;
}

export function decodeLeaderMessage(bytes: Uint8Array): LeaderMessage {
  const m = decodeTagged(bytes, 'leader message', ['frame', 'ping'], false);
  if (m.t === 'frame' && !isRecord(m.frame)) throw undecodable('leader message "frame" carries no frame map');
  return m as unknown as LeaderMessage;
}

export function decodeHostedGuestMessage(bytes: Uint8Array): HostedGuestMessage {
  const m = decodeTagged(bytes, 'guest message', ['frame', 'exit'], false);
  if (m.t === 'frame' && !isRecord(m.frame)) throw undecodable('guest message "frame" carries no frame map');
  if (m.t === 'exit') requireStrings(m, 'guest message', ['reason', 'code']);
  return m as unknown as HostedGuestMessage;
}

type Raw = Record<string, unknown> & { t: string };

function decodeTagged(bytes: Uint8Array, what: string, tags: readonly string[], versioned: boolean): Raw {
  let raw: unknown;
  try {
    raw = decodeValue(bytes);
  } catch (cause) {
    throw undecodable(`${what} is not MessagePack: ${(cause as Error).message}`, cause);
  }
  if (!isRecord(raw)) throw undecodable(`${what} is not a map`);
  if (versioned && raw.v !== NODE_HOST_PROTOCOL_VERSION) {
    throw undecodable(`${what} has version ${JSON.stringify(raw.v)}; this node speaks node-hosting version ${NODE_HOST_PROTOCOL_VERSION} (run the same Cairn version on every node of a site)`);
  }
  if (typeof raw.t !== 'string' || !tags.includes(raw.t)) throw undecodable(`${what} has type ${JSON.stringify(raw.t)}; expected one of ${tags.join(', ')}`);
  return raw as Raw;
}

function requireStrings(m: Raw, what: string, keys: readonly string[]): void {
  for (const key of keys) {
    if (typeof m[key] !== 'string') throw undecodable(`${what} "${m.t}" has no string "${key}"`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function undecodable(message: string, cause?: unknown): CairnError {
  return new CairnError(KernelCodes.UNDECODABLE, message, cause === undefined ? {} : { cause });
}
