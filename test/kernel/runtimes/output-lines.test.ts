import { describe, expect, it } from 'vitest';
import { OutputLines } from '../../../kernel/runtimes/output-lines.ts';

describe('guest output lines', () => {
  it('output lines - keeps the newest lines and the unfinished one, without carriage returns', () => {
    const ring = new OutputLines(2);
    expect(ring.push('a\nb\r\nc')).toEqual(['a', 'b']);
    ring.push('d\ne\n');
    expect(ring.snapshot()).toEqual(['cd', 'e']);
    ring.push('tail');
    expect(ring.snapshot()).toEqual(['cd', 'e', 'tail']);
    expect(ring.last()).toBe('tail');
  });

  it('output lines - listeners get each completed line once, in order, and the unfinished one at the end', () => {
    const ring = new OutputLines(1);
    const seen: string[] = [];
    ring.onLine((l) => seen.push(l));
    ring.push('one\ntw');
    ring.push('o\nthree');
    expect(seen).toEqual(['one', 'two']);
    ring.end();
    expect(seen).toEqual(['one', 'two', 'three']);
    expect(ring.snapshot()).toEqual(['three']);
    ring.end();
    expect(seen).toHaveLength(3);
  });

  it('output lines - a character split across two chunks is decoded whole', () => {
    const ring = new OutputLines();
    const bytes = Buffer.from('héllo\n');
    ring.push(bytes.subarray(0, 2));
    expect(ring.push(bytes.subarray(2))).toEqual(['héllo']);
  });
});
