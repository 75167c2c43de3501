import { describe, expect, it } from 'vitest';
import { AppliedPositions } from '../../kernel/applied-positions.ts';
import type { Delivery } from '../../kernel/delivery.ts';

const local = (seq: number): Delivery => ({ seq }) as Delivery;
const sourced = (seq: number, stream: string, originSeq: number): Delivery => ({ seq, origin: { stream, seq: originSeq } }) as Delivery;

describe('AppliedPositions', () => {
  it('effectively-once - a local message at or below the applied sequence is already in the state', () => {
    const p = new AppliedPositions();
    p.reset({ seq: 5, state: null, origins: {} });
    expect(p.includes(local(5))).toBe(true);
    expect(p.includes(local(6))).toBe(false);
    p.record(local(6));
    expect(p.includes(local(6))).toBe(true);
  });

  it('effectively-once - a message of another site is judged by its origin sequence, whatever its mailbox sequence', () => {
    const p = new AppliedPositions();
    p.reset({ seq: 100, state: null, origins: { CAIRN_OUT_edge1: 7 } });
    // Re-sourced after a server restart: a new mailbox sequence, the same origin sequence.
    expect(p.includes(sourced(500, 'CAIRN_OUT_edge1', 7))).toBe(true);
    expect(p.includes(sourced(3, 'CAIRN_OUT_edge1', 8))).toBe(false);
    expect(p.includes(sourced(3, 'CAIRN_OUT_edge2', 1))).toBe(false);
  });

  it('effectively-once - what is saved with the state after a message: its sequence, or its origin position beside the others', () => {
    const p = new AppliedPositions();
    p.reset({ seq: 4, state: null, origins: { A: 2 } });
    expect(p.after(local(9))).toEqual({ seq: 9, origins: { A: 2 } });
    expect(p.after(sourced(10, 'B', 3))).toEqual({ seq: 4, origins: { A: 2, B: 3 } });
    p.reset(undefined);
    expect(p.includes(local(1))).toBe(false);
  });

  it('effectively-once - a new epoch of an outbox (made again from scratch) is not judged by the old one, and replaces it once applied', () => {
    const p = new AppliedPositions();
    p.reset({ seq: 0, state: null, origins: { CAIRN_OUT_cloud: 60, CAIRN_OUT_edge2: 4 } });
    // The new outbox starts at 1 again: under its epoch's key nothing is applied yet.
    const first = sourced(70, 'CAIRN_OUT_cloud@65', 1);
    expect(p.includes(first)).toBe(false);
    expect(p.after(first).origins).toEqual({ 'CAIRN_OUT_cloud@65': 1, CAIRN_OUT_edge2: 4 });
    p.record(first);
    // Re-sourced later (a server restart): judged within the new epoch.
    expect(p.includes(sourced(90, 'CAIRN_OUT_cloud@65', 1))).toBe(true);
    expect(p.includes(sourced(91, 'CAIRN_OUT_cloud@65', 2))).toBe(false);
  });

  it('effectively-once - a mailbox stream made anew numbers from 1 again: its messages are not in the state; a record of an older Cairn counts as the current stream', () => {
    const inStream = (seq: number, mailbox: string): Delivery => ({ seq, mailbox }) as Delivery;
    const p = new AppliedPositions();
    p.reset({ seq: 50, state: null, origins: {}, mailbox: 'T1' });
    expect(p.includes(inStream(3, 'T1'))).toBe(true);
    expect(p.includes(inStream(3, 'T2'))).toBe(false);
    expect(p.after(inStream(3, 'T2'))).toEqual({ seq: 3, origins: {}, mailbox: 'T2' });
    p.record(inStream(3, 'T2'));
    expect(p.includes(inStream(3, 'T2'))).toBe(true);
    expect(p.includes(inStream(4, 'T2'))).toBe(false);
    const older = new AppliedPositions();
    older.reset({ seq: 50, state: null, origins: {} });
    expect(older.includes(inStream(3, 'T1'))).toBe(true);
  });
});
