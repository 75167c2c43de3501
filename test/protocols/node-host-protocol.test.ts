// The node-hosting wire messages and subjects (protocols/node-host-protocol.ts, README §8).
import { describe, expect, it } from 'vitest';
import {
  KernelCodes,
  LEADER_PING_INTERVAL_MS,
  LEADER_SILENCE_TIMEOUT_MS,
  NodeHostSubjects,
  decodeHostReply,
  decodeHostRequest,
  decodeHostedGuestMessage,
  decodeLeaderMessage,
  encodeNodeHostMessage,
  encodeValue,
} from '../../protocols/index.ts';
import type { HostReply, HostRequest } from '../../protocols/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('node host subjects', () => {
  it('node host subjects - control request, and the two frame subjects of an incarnation', () => {
    expect(NodeHostSubjects.control('edge1', 'n2')).toBe('cairn.ctl.edge1.n2.host');
    expect(NodeHostSubjects.toGuest('edge1', 'n2', 'Ab12')).toBe('cairn.host.edge1.n2.Ab12.in');
    expect(NodeHostSubjects.fromGuest('edge1', 'n2', 'Ab12')).toBe('cairn.host.edge1.n2.Ab12.out');
  });

  it('node host subjects - an incarnation id that is not a subject token is refused, naming it', () => {
    expect(() => NodeHostSubjects.toGuest('edge1', 'n2', 'a.>')).toThrow(/incarnation id "a\.>" is not valid/);
  });
});

describe('node host protocol', () => {
  it('node host protocol - the silence timeout is five leader pings', () => {
    expect(LEADER_SILENCE_TIMEOUT_MS).toBe(5 * LEADER_PING_INTERVAL_MS);
  });

  it('node host protocol - a ping is the one-key map { t: "ping" }', () => {
    expect(hex(encodeNodeHostMessage({ t: 'ping' }))).toBe('81a174a470696e67');
  });

  it('node host protocol - every request and reply decodes back to itself', () => {
    const requests: HostRequest[] = [
      { v: 1, t: 'start', actor: 'c1', incarnation: 'i1', leader: 'n1', spec: { mode: 'process', command: 'python3', args: ['g.py'] } },
      { v: 1, t: 'kill', incarnation: 'i1' },
      { v: 1, t: 'usage', incarnation: 'i1' },
      { v: 1, t: 'logs', incarnation: 'i1' },
    ];
    for (const r of requests) expect(decodeHostRequest(encodeNodeHostMessage(r))).toEqual(r);
    const replies: HostReply[] = [
      { v: 1, t: 'started', describe: 'pid 42' },
      { v: 1, t: 'killed', found: false },
      { v: 1, t: 'usage', usage: { cpuPercent: 1.5, memoryBytes: 1024 } },
      { v: 1, t: 'logs', lines: ['a', 'b'] },
      { v: 1, t: 'failed', code: KernelCodes.RUNTIME_UNAVAILABLE, error: 'no launcher' },
    ];
    for (const r of replies) expect(decodeHostReply(encodeNodeHostMessage(r))).toEqual(r);
  });

  it('node host protocol - frames and exits of an incarnation decode back to themselves', () => {
    const init = { t: 'frame', frame: { t: 'init', v: 1, id: 'c1', site: 's', node: 'n1' } } as const;
    expect(decodeLeaderMessage(encodeNodeHostMessage(init))).toEqual(init);
    const done = { t: 'frame', frame: { t: 'done', n: 1, reply: 42, sends: [] } } as const;
    expect(decodeHostedGuestMessage(encodeNodeHostMessage(done))).toEqual(done);
    const exit = { t: 'exit', reason: 'exited with code 3', code: KernelCodes.GUEST_EXITED } as const;
    expect(decodeHostedGuestMessage(encodeNodeHostMessage(exit))).toEqual(exit);
  });

  it('node host protocol - a request of another version is refused, naming both versions', () => {
    const err = (() => {
      try {
        decodeHostRequest(encodeValue({ v: 2, t: 'kill', incarnation: 'i1' }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: KernelCodes.UNDECODABLE });
    expect((err as Error).message).toMatch(/host request has version 2; this node speaks node-hosting version 1/);
  });

  it('node host protocol - malformed messages are CAIRN_UNDECODABLE saying what is wrong', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => decodeHostRequest(encodeValue([1, 2])), /host request is not a map/],
      [() => decodeHostRequest(encodeValue({ v: 1, t: 'restart' })), /host request has type "restart"; expected one of start, kill, usage, logs/],
      [() => decodeHostRequest(encodeValue({ v: 1, t: 'start', actor: 'c1', incarnation: 'i1', leader: 'n1' })), /"start" has no spec with a string "mode"/],
      [() => decodeHostRequest(encodeValue({ v: 1, t: 'kill' })), /host request "kill" has no string "incarnation"/],
      [() => decodeHostReply(encodeValue({ v: 1, t: 'logs', lines: [1] })), /"logs" has no string array "lines"/],
      [() => decodeHostedGuestMessage(encodeValue({ t: 'exit', reason: 'x' })), /guest message "exit" has no string "code"/],
      [() => decodeLeaderMessage(encodeValue({ t: 'frame' })), /carries no frame map/],
      [() => decodeLeaderMessage(new Uint8Array([0x81])), /leader message is not MessagePack/],
    ];
    for (const [decode, message] of cases) {
      expect(decode).toThrow(message);
      expect(decode).toThrow(expect.objectContaining({ code: KernelCodes.UNDECODABLE }));
    }
  });
});
