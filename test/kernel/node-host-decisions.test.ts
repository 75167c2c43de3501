// The pure decisions of node hosting: what each side reports when a hosted guest ends, which
// guests a silent leader leaves to be killed, and which connection changes lose frames.
import { describe, expect, it } from 'vitest';
import { hostedGuestExit, interruptionOf, lostGuestExit, silentGuests } from '../../kernel/node-host/index.ts';
import { KernelCodes } from '../../protocols/index.ts';

const who = { node: 'n2', leader: 'n1' };
const terminated = { reason: 'was terminated', code: KernelCodes.GUEST_EXITED };

describe('hostedGuestExit', () => {
  it('hostedGuestExit - a guest that ended by itself is reported with its own exit', () => {
    const oom = { reason: 'OOMKilled', code: KernelCodes.GUEST_OOM };
    expect(hostedGuestExit(oom, undefined, who)).toBe(oom);
  });

  it("hostedGuestExit - a kill the leader asked for is reported with the launcher's exit", () => {
    expect(hostedGuestExit(terminated, { type: 'leader-request' }, who)).toBe(terminated);
  });

  it('hostedGuestExit - a kill for a silent leader names the leader and the silence, as a lost node', () => {
    expect(hostedGuestExit(terminated, { type: 'leader-silent', silentMs: 5_012 }, who)).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was killed by node n2: its leader n1 was silent for 5012 ms' });
  });

  it('hostedGuestExit - released guests exit as killed guests, naming the leader', () => {
    expect(hostedGuestExit(terminated, { type: 'leader-released' }, who)).toEqual({ code: KernelCodes.GUEST_EXITED, reason: 'was killed by node n2: leader n1 released its guests' });
  });

  it('hostedGuestExit - a stopping host and an interrupted host connection are lost nodes', () => {
    expect(hostedGuestExit(terminated, { type: 'host-stopping' }, who)).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was killed: node n2 is stopping' });
    expect(hostedGuestExit(terminated, { type: 'connection-interrupted' }, who)).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was killed: the connection of node n2 to NATS was interrupted' });
  });

  it('hostedGuestExit - a guest frame that cannot be relayed crashes the guest, quoting the error', () => {
    expect(hostedGuestExit(terminated, { type: 'frame-unrelayable', error: 'max_payload size exceeded' }, who)).toEqual({ code: KernelCodes.GUEST_EXITED, reason: 'was killed by node n2: a frame for leader n1 could not be sent (max_payload size exceeded)' });
  });
});

describe('lostGuestExit', () => {
  it('lostGuestExit - a dead host and an interrupted connection are CAIRN_NODE_LOST naming the node', () => {
    expect(lostGuestExit({ type: 'host-dead' }, 'n2')).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was lost: node n2 is no longer alive' });
    expect(lostGuestExit({ type: 'connection-interrupted' }, 'n2')).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was lost: connection to node n2 interrupted (frames may have been lost)' });
  });

  it('lostGuestExit - an unconfirmed kill is a lost node; a confirmed one is a killed guest', () => {
    expect(lostGuestExit({ type: 'kill-unconfirmed', waitedMs: 2_000 }, 'n2')).toMatchObject({ code: KernelCodes.NODE_LOST, reason: expect.stringMatching(/^was abandoned: node n2 did not confirm the kill within 2000 ms/) });
    expect(lostGuestExit({ type: 'kill-confirmed' }, 'n2')).toEqual({ code: KernelCodes.GUEST_EXITED, reason: 'was killed on node n2' });
  });

  it('lostGuestExit - an undecodable relay or an unsendable frame kills the guest and quotes the error', () => {
    expect(lostGuestExit({ type: 'undecodable', error: 'guest message is not a map' }, 'n2')).toEqual({ code: KernelCodes.GUEST_EXITED, reason: 'was killed: node n2 relayed an undecodable message (guest message is not a map)' });
    expect(lostGuestExit({ type: 'frame-unsendable', error: 'max_payload size exceeded' }, 'n2')).toEqual({ code: KernelCodes.GUEST_EXITED, reason: 'was killed: a frame for it could not be sent to node n2 (max_payload size exceeded)' });
  });
});

describe('silentGuests', () => {
  const guests = [
    { id: 'fresh', lastHeard: 9_000 },
    { id: 'edge', lastHeard: 5_000 },
    { id: 'stale', lastHeard: 4_999 },
  ];

  it('silentGuests - picks the guests not heard from for longer than the timeout', () => {
    expect(silentGuests(guests, 10_000, 5_000).map((g) => g.id)).toEqual(['stale']);
  });

  it('silentGuests - a guest heard exactly the timeout ago is not silent yet', () => {
    expect(silentGuests([{ lastHeard: 5_000 }], 10_000, 5_000)).toEqual([]);
  });

  it('silentGuests - a lastHeard in the future (clock step) is not silent', () => {
    expect(silentGuests([{ lastHeard: 20_000 }], 10_000, 5_000)).toEqual([]);
  });
});

describe('interruptionOf', () => {
  it('interruptionOf - disconnect, reconnect and close may have lost frames', () => {
    expect(interruptionOf({ type: 'disconnect', server: 's' })).toBe('disconnect');
    expect(interruptionOf({ type: 'reconnect', server: 's' })).toBe('reconnect');
    expect(interruptionOf({ type: 'close' })).toBe('close');
  });

  it('interruptionOf - other statuses are not interruptions', () => {
    expect(interruptionOf({ type: 'reconnecting' })).toBeUndefined();
    expect(interruptionOf({ type: 'ping', pendingPings: 1 })).toBeUndefined();
    expect(interruptionOf({ type: 'update', added: ['x'] })).toBeUndefined();
  });
});
