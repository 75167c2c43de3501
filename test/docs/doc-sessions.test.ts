import { describe, expect, it } from 'vitest';
import { docBlocks, maskLine, showsInOrder } from './doc-sessions.ts';

describe('doc sessions', () => {
  it('doc sessions - prompts are commands, the lines after them their output; prompt-less shell lines running cairn or npx cairn are commands', () => {
    const md = ['intro', '```', '$ npx cairn ps', 'ID  STATUS', 'a   running', '$ echo $?', '0', '```', '<!-- not run: needs a sensor -->', '```sh', 'npx cairn demo   # a comment', 'npm test', 'cairn ps -o json', '```', '```', 'plain output', '```'].join('\n');
    const blocks = docBlocks('x.md', md);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.commands).toEqual([
      { file: 'x.md', line: 3, text: 'npx cairn ps', output: ['ID  STATUS', 'a   running'] },
      { file: 'x.md', line: 6, text: 'echo $?', output: ['0'] },
    ]);
    expect(blocks[1]).toMatchObject({ line: 10, notRun: 'needs a sensor', commands: [{ line: 11, text: 'npx cairn demo   # a comment', output: [] }, { line: 13, text: 'cairn ps -o json', output: [] }] });
  });

  it('doc sessions - masking hides what differs between runs and machines, not the words', () => {
    expect(maskLine('counter  counter    vm-19827  running         0        9       0       0      9s')).toBe('counter counter vm-# running # # # # <dur>');
    expect(maskLine('02:25:55.253  crashed        flaky  CAIRN_HANDLER_FAILED: Error: job 3 failed')).toBe('<time> crashed flaky CAIRN_HANDLER_FAILED: Error: job # failed');
    expect(maskLine('  url          nats://127.0.0.1:43989')).toBe('url nats://#.#:#');
    expect(maskLine('nats-server v2.15.2 (/root/go/bin/nats-server), pid 19879')).toBe('nats-server v#.# (<path>), pid #');
    expect(maskLine('sha256:c04d6c04f899  7.8 KiB  2025-06-02T09:14:03.041Z')).toBe('<hex> <size> <time>');
    expect(maskLine('on: 9 streams, 818 B stored')).toBe(maskLine('on: 12 streams, 1.2 MiB stored'));
    expect(maskLine('job 3 failed')).not.toBe(maskLine('job 3 passed'));
  });

  it('doc sessions - a long-running command shows every line, events in any order, other lines in order', () => {
    const shown = ['ready: up', '02:25:52.223  started  a', '02:25:52.224  started  b', 'stopped'];
    expect(showsInOrder(shown, ['ready: up', '10:00:00.001  started  b', '10:00:00.002  started  a', '10:00:01.000  ticked  a', 'stopped']).ok).toBe(true);
    expect(showsInOrder(shown, ['stopped', 'ready: up', '10:00:00.001  started  b', '10:00:00.002  started  a'])).toEqual({ ok: false, missing: ['stopped'] });
    expect(showsInOrder(shown, ['ready: up', '10:00:00.001  started  a', 'stopped'])).toEqual({ ok: false, missing: ['<time> started b'] });
  });
});
