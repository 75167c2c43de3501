import { match } from 'ts-pattern';
import { KernelCodes } from '../../protocols/index.ts';
import type { GuestExit } from '../guest-channel.ts';

/** Why a host node ended a guest itself; a guest that exits on its own has none. */
export type HostKillCause =
  /** The leader sent a kill request. */
  | { readonly type: 'leader-request' }
  /** No ping nor frame from the leader for `silentMs` (it died or was cut off). */
  | { readonly type: 'leader-silent'; readonly silentMs: number }
  /** `killFromLeader`: the leader's guests were released (leadership moved). */
  | { readonly type: 'leader-released' }
  | { readonly type: 'host-stopping' }
  /** The host's own NATS connection dropped: frames may have been lost both ways. */
  | { readonly type: 'connection-interrupted' }
  /** A guest frame could not be published (larger than the server's max_payload): the leader would wait for it forever. */
  | { readonly type: 'frame-unrelayable'; readonly error: string };

/**
 * What the host node reports to the leader when a guest ended: the launcher's own exit when the
 * guest ended by itself or on the leader's request, else the reason the host killed it.
 */
export function hostedGuestExit(exit: GuestExit, cause: HostKillCause | undefined, who: { readonly node: string; readonly leader: string }): GuestExit {
  if (!cause) return exit;
  return match(cause)
    .with({ type: 'leader-request' }, () => exit)
    .with({ type: 'leader-silent' }, ({ silentMs }) => ({ code: KernelCodes.NODE_LOST, reason: `was killed by node ${who.node}: its leader ${who.leader} was silent for ${silentMs} ms` }))
    .with({ type: 'leader-released' }, () => ({ code: KernelCodes.GUEST_EXITED, reason: `was killed by node ${who.node}: leader ${who.leader} released its guests` }))
    .with({ type: 'host-stopping' }, () => ({ code: KernelCodes.NODE_LOST, reason: `was killed: node ${who.node} is stopping` }))
    .with({ type: 'connection-interrupted' }, () => ({ code: KernelCodes.NODE_LOST, reason: `was killed: the connection of node ${who.node} to NATS was interrupted` }))
    .with({ type: 'frame-unrelayable' }, ({ error }) => ({ code: KernelCodes.GUEST_EXITED, reason: `was killed by node ${who.node}: a frame for leader ${who.leader} could not be sent (${error})` }))
    .exhaustive();
}

/** Why the leader gave up a guest without the host reporting its exit. */
export type GuestLoss =
  /** `isHostAlive()` answered false. */
  | { readonly type: 'host-dead' }
  /** The leader's NATS connection dropped, reconnected or closed: frames may have been lost. */
  | { readonly type: 'connection-interrupted' }
  /** The host did not answer the kill request in time. */
  | { readonly type: 'kill-unconfirmed'; readonly waitedMs: number }
  /** The host confirmed the kill but its exit message never came. */
  | { readonly type: 'kill-confirmed' }
  /** The host relayed a message the leader cannot decode (mismatched versions): the guest is killed. */
  | { readonly type: 'undecodable'; readonly error: string }
  /** A frame for the guest could not be published (larger than the server's max_payload): the guest is killed. */
  | { readonly type: 'frame-unsendable'; readonly error: string };

/** The exit the leader's channel settles with when it lost the guest. */
export function lostGuestExit(loss: GuestLoss, host: string): GuestExit {
  return match(loss)
    .with({ type: 'host-dead' }, () => ({ code: KernelCodes.NODE_LOST, reason: `was lost: node ${host} is no longer alive` }))
    .with({ type: 'connection-interrupted' }, () => ({ code: KernelCodes.NODE_LOST, reason: `was lost: connection to node ${host} interrupted (frames may have been lost)` }))
    .with({ type: 'kill-unconfirmed' }, ({ waitedMs }) => ({ code: KernelCodes.NODE_LOST, reason: `was abandoned: node ${host} did not confirm the kill within ${waitedMs} ms (it kills the guest itself once the leader's pings stop)` }))
    .with({ type: 'kill-confirmed' }, () => ({ code: KernelCodes.GUEST_EXITED, reason: `was killed on node ${host}` }))
    .with({ type: 'undecodable' }, ({ error }) => ({ code: KernelCodes.GUEST_EXITED, reason: `was killed: node ${host} relayed an undecodable message (${error})` }))
    .with({ type: 'frame-unsendable' }, ({ error }) => ({ code: KernelCodes.GUEST_EXITED, reason: `was killed: a frame for it could not be sent to node ${host} (${error})` }))
    .exhaustive();
}
