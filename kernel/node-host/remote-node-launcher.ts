import { errors, nuid } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CairnError, KernelCodes, NODE_HOST_PROTOCOL_VERSION, NodeHostSubjects, assertName, decodeHostReply, encodeNodeHostMessage } from '../../protocols/index.ts';
import type { HostReply } from '../../protocols/index.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { GuestInfo, GuestLauncher } from '../guest-channel.ts';
import type { RuntimeSpec } from '../runtime-spec.ts';
import { RemoteNodeChannel } from './remote-node-channel.ts';

/** How often the leader asks `isHostAlive()`. @default 1000 */
export const DEFAULT_LIVENESS_CHECK_MS = 1_000;

/**
 * How long the leader waits for the host node to launch a guest. Generous because the host may
 * build or pull a container image first. @default 60000
 */
export const DEFAULT_START_TIMEOUT_MS = 60_000;

export interface RemoteNodeLauncherOptions {
  /** The leader's NATS connection. */
  readonly nc: NatsConnection;
  readonly site: string;
  /** This node's id (the leader's). */
  readonly leader: string;
  /** The node to run the guests on; it must run a NodeHostService. */
  readonly host: string;
  /** Whether the host node still counts as alive (e.g. from the node registry); false ends its guests with CAIRN_NODE_LOST. */
  readonly isHostAlive: () => boolean | Promise<boolean>;
  /** @default 1000 */
  readonly livenessCheckMs?: number;
  /** @default 60000 */
  readonly startTimeoutMs?: number;
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Starts guests on another node of the leader's site: the host node launches the guest with its
 * own launcher for `spec.mode` and relays the host protocol over core NATS. The returned channel
 * ends with the guest's exit as the host reports it, or with CAIRN_NODE_LOST when the host stops
 * being alive or the leader's connection is interrupted.
 */
export function remoteNodeLauncher(opts: RemoteNodeLauncherOptions): GuestLauncher {
  assertName(opts.site, 'site name');
  assertName(opts.leader, 'node id');
  assertName(opts.host, 'node id');
  const livenessCheckMs = positive(opts.livenessCheckMs, DEFAULT_LIVENESS_CHECK_MS, 'livenessCheckMs');
  const startTimeoutMs = positive(opts.startTimeoutMs, DEFAULT_START_TIMEOUT_MS, 'startTimeoutMs');
  const clock = opts.clock ?? systemClock;
  const where = `node ${opts.host} of site ${opts.site}`;

  return async (spec, info, signal) => {
    if (spec.mode === 'inline') {
      throw new CairnError(KernelCodes.INVALID_OPTION, `actor ${info.actor} is inline: inline actors run in the leader's event loop and cannot be placed on ${where}; use mode worker, process or container`);
    }
    if (signal.aborted) throw new CairnError(KernelCodes.ABORTED, `start of actor ${info.actor} was cancelled`);
    const incarnation = nuid.next();
    const channel = new RemoteNodeChannel({ nc: opts.nc, site: opts.site, host: opts.host, incarnation, isHostAlive: opts.isHostAlive, livenessCheckMs, clock, log: opts.log });
    let reply: HostReply;
    try {
      reply = await untilAborted(requestStart(opts.nc, opts.site, opts.host, opts.leader, incarnation, spec, info, startTimeoutMs), signal);
    } catch (cause) {
      const err = startError(cause, info, where, startTimeoutMs);
      channel.abandon({ code: err.code, reason: err.message });
      throw err;
    }
    if (reply.t !== 'started') {
      const [code, why] = reply.t === 'failed' ? [reply.code, reply.error] : [KernelCodes.GUEST_START_FAILED, `unexpected answer "${reply.t}" to a start request`];
      const err = new CairnError(code, `${where} could not start the guest of actor ${info.actor}: ${why}`, { details: { actor: info.actor, node: opts.host, site: opts.site } });
      channel.abandon({ code, reason: err.message });
      throw err;
    }
    channel.running(reply.describe);
    return channel;
  };
}

async function requestStart(nc: NatsConnection, site: string, host: string, leader: string, incarnation: string, spec: RuntimeSpec, info: GuestInfo, timeout: number): Promise<HostReply> {
  const request = { v: NODE_HOST_PROTOCOL_VERSION, t: 'start', actor: info.actor, incarnation, leader, spec } as const;
  const msg = await nc.request(NodeHostSubjects.control(site, host), encodeNodeHostMessage(request), { timeout });
  return decodeHostReply(msg.data);
}

function startError(cause: unknown, info: GuestInfo, where: string, startTimeoutMs: number): CairnError {
  const details = { actor: info.actor };
  if (cause instanceof CairnError) return cause;
  if (cause instanceof errors.RequestError && cause.isNoResponders()) {
    return new CairnError(KernelCodes.NODE_UNREACHABLE, `no node host service answers on ${where}, so actor ${info.actor} cannot start there: start the node (or its NodeHostService), or place the actor on another node`, { cause, details });
  }
  if (cause instanceof errors.TimeoutError) {
    return new CairnError(KernelCodes.NODE_UNREACHABLE, `${where} did not confirm the start of actor ${info.actor} within ${startTimeoutMs} ms: check it with \`cairn nodes\`, or raise startTimeoutMs if its guests are slow to start`, { cause, details });
  }
  return new CairnError(KernelCodes.NODE_UNREACHABLE, `cannot ask ${where} to start actor ${info.actor}: ${(cause as Error).message}`, { cause, details });
}

/** Rejects with CAIRN_ABORTED when `signal` fires first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CairnError(KernelCodes.ABORTED, 'start of the guest was cancelled', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `remoteNodeLauncher option ${name} is ${value}; give a number of milliseconds > 0 or leave it out (default ${fallback})`);
  }
  return value;
}
