import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../../deploy/site/index.ts';

/** nats-server processes whose config lives in `dir`. */
function natsServersUnder(dir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes('nats-server') && l.includes(dir));
}

describe('cairn demo', () => {
  it('demo - narrates the cut and the catch-up, and checks from real counts that nothing was lost or duplicated', async () => {
    const lines: string[] = [];
    const result = await runDemo({ out: (l) => lines.push(l), durationMs: 8_000 });
    const text = lines.join('\n');
    const dir = /in (\S+) \(each edge dials/.exec(text)?.[1];

    // In this order: links up, flowing, cut, edge1 alone, restore, backlog, summary, check, stopped.
    const order = [
      /leaf links up: edge1 ⇄ cloud, edge2 ⇄ cloud/,
      /messages flowing/,
      /cutting edge1's link/,
      /while cut, edge1 kept working: its sensor sent [1-9]\d* readings .* its alarm handled [1-9]\d*; the cloud got 0 from edge1/,
      /restoring edge1's link/,
      /edge1's backlog arrived: the cloud caught up with the \d+ readings edge1 had sent/,
      /summary:/,
      /check: 0 lost, 0 duplicated, 0 out of order across 2 edges — OK/,
      /stopped$/,
    ];
    let at = -1;
    for (const re of order) {
      const i = lines.findIndex((l, k) => k > at && re.test(l));
      expect(i, `${re} after line ${at}\n${text}`).toBeGreaterThan(at);
      at = i;
    }
    expect(lines.every((l) => /^\[\+\d+\.\ds\] /.test(l))).toBe(true);

    // The check line is computed from the counts, not written: they agree with the result.
    expect(result).toMatchObject({ ok: true, lost: 0, duplicated: 0, gaps: 0 });
    expect(result.cut.sentDuringCut).toBeGreaterThan(0);
    expect(result.cut.cloudGotDuringCut).toBe(0);
    for (const e of result.edges) {
      expect(e.sent).toBeGreaterThan(30);
      expect(e.atCloud.received).toBe(e.sent);
      expect(e.atCloud.last).toBe(e.sent - 1);
      expect(e.handledLocally).toBe(e.sent);
      expect(text).toContain(`${e.edge}: sent ${e.sent}, cloud received ${e.sent} (in order up to seq ${e.sent - 1}), 0 lost, 0 duplicated, 0 gaps`);
    }
    expect(dir).toBeDefined();
    expect(natsServersUnder(dir!)).toEqual([]);
  }, 90_000);
});
