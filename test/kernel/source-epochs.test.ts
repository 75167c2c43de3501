import { describe, expect, it } from 'vitest';
import { MAX_MARKS, OriginEpochs, outboxCreatedKey, outboxEpochMetadata, outboxMarksKey, readOutboxEpoch, sourceStart, streamOfOriginKey } from '../../kernel/source-epochs.ts';

const outbox = (created: string, lastSeq: number, createdNow = false) => ({ created, lastSeq, createdNow });

describe('source epochs', () => {
  it('sourceStart - the outbox sourced before continues after the position; without a position it starts at its first message', () => {
    expect(sourceStart({ sourcedUpTo: 60, known: 'T1', outbox: outbox('T1', 80) })).toEqual({ from: 'after', seq: 60 });
    expect(sourceStart({ sourcedUpTo: undefined, known: 'T1', outbox: outbox('T1', 80) })).toEqual({ from: 'first', newOutbox: false });
    // First contact: nothing was sourced, nothing is known.
    expect(sourceStart({ outbox: outbox('T1', 0, true) })).toEqual({ from: 'first', newOutbox: false });
    expect(sourceStart({ outbox: outbox('T1', 500) })).toEqual({ from: 'first', newOutbox: false });
  });

  it('sourceStart - an outbox made again is sourced from its first message and said to be new, even once it grew past the position', () => {
    expect(sourceStart({ sourcedUpTo: 60, known: 'T1', outbox: outbox('T2', 5) })).toEqual({ from: 'first', newOutbox: true });
    expect(sourceStart({ sourcedUpTo: 60, known: 'T1', outbox: outbox('T2', 900) })).toEqual({ from: 'first', newOutbox: true });
    // This attempt made it (the peer's was gone), after something had been sourced.
    expect(sourceStart({ sourcedUpTo: 60, outbox: outbox('T3', 0, true) })).toEqual({ from: 'first', newOutbox: true });
    expect(sourceStart({ known: 'T1', outbox: outbox('T3', 0, true) })).toEqual({ from: 'first', newOutbox: true });
  });

  it('sourceStart - with no recorded creation time (an older Cairn), an outbox shorter than the position is a new one', () => {
    expect(sourceStart({ sourcedUpTo: 60, outbox: outbox('T2', 20) })).toEqual({ from: 'first', newOutbox: true });
    expect(sourceStart({ sourcedUpTo: 60, outbox: outbox('T1', 60) })).toEqual({ from: 'after', seq: 60 });
  });

  it('metadata - an epoch written is read back; absent or malformed entries read as nothing', () => {
    const meta = outboxEpochMetadata('cloud', { created: 'T2', marks: [65, 12] });
    expect(meta).toEqual({ [outboxCreatedKey('cloud')]: 'T2', [outboxMarksKey('cloud')]: '65,12' });
    expect(readOutboxEpoch(meta, 'cloud')).toEqual({ created: 'T2', marks: [12, 65] });
    expect(readOutboxEpoch({}, 'cloud')).toEqual({ marks: [] });
    expect(readOutboxEpoch({ [outboxMarksKey('cloud')]: '' }, 'cloud')).toEqual({ marks: [] });
    expect(readOutboxEpoch({ [outboxMarksKey('cloud')]: 'x,-1,7' }, 'cloud')).toEqual({ marks: [7] });
    expect(readOutboxEpoch(undefined, 'cloud')).toEqual({ marks: [] });
  });

  it('OriginEpochs - a message is keyed by the highest mark below its mailbox sequence, and the key names its stream', () => {
    const epochs = new OriginEpochs();
    epochs.load(outboxEpochMetadata('cloud', { marks: [100] }), ['cloud', 'edge2']);
    expect(epochs.keyOf('CAIRN_OUT_cloud', 100)).toBe('CAIRN_OUT_cloud');
    expect(epochs.keyOf('CAIRN_OUT_cloud', 101)).toBe('CAIRN_OUT_cloud@100');
    expect(epochs.keyOf('CAIRN_OUT_edge2', 101)).toBe('CAIRN_OUT_edge2');
    epochs.add('cloud', 250);
    expect(epochs.keyOf('CAIRN_OUT_cloud', 200)).toBe('CAIRN_OUT_cloud@100');
    expect(epochs.keyOf('CAIRN_OUT_cloud', 251)).toBe('CAIRN_OUT_cloud@250');
    expect(streamOfOriginKey('CAIRN_OUT_cloud@250')).toBe('CAIRN_OUT_cloud');
    expect(streamOfOriginKey('CAIRN_OUT_cloud')).toBe('CAIRN_OUT_cloud');
  });

  it('OriginEpochs - only the latest marks are kept, and dropping old ones does not change the keys of newer messages', () => {
    const epochs = new OriginEpochs();
    let marks: readonly number[] = [];
    for (let m = 1; m <= MAX_MARKS + 5; m++) marks = epochs.add('cloud', m * 10);
    expect(marks).toHaveLength(MAX_MARKS);
    expect(epochs.keyOf('CAIRN_OUT_cloud', (MAX_MARKS + 5) * 10 + 1)).toBe(`CAIRN_OUT_cloud@${(MAX_MARKS + 5) * 10}`);
  });
});
