import { describe, expect, it } from 'vitest';
import { DEFAULT_MAILBOX_LIMITS, mailboxSource, mailboxStreamConfig, sourceConsumerConfig } from '../../kernel/mailbox-infrastructure.ts';
import { skipCheck, stalledSources, stuckSources } from '../../kernel/stalled-sources.ts';
import { peersToSource } from '../../kernel/peer-sources.ts';
import { backoffDelayMs } from '../../protocols/index.ts';

const cloud = { site: 'cloud', domain: 'cloud' };
const edge1 = { site: 'edge1', domain: 'edge1' };
const edge2 = { site: 'edge2', domain: 'edge2' };

describe('peer sources', () => {
  it('peersToSource - sources the peers whose consumer was confirmed, in configured order', () => {
    expect(peersToSource([cloud, edge1, edge2], [edge2, cloud], undefined, 'edge3')).toEqual([cloud, edge2]);
  });

  it('peersToSource - keeps a durable source the stream already has while its peer is unreachable', () => {
    const existing = [mailboxSource('edge3', edge1)];
    expect(peersToSource([cloud, edge1], [], existing, 'edge3')).toEqual([edge1]);
  });

  it('peersToSource - a plain source of an older Cairn waits for its consumer to be confirmed', () => {
    const plain = [{ name: 'CAIRN_OUT_edge1', filter_subject: 'cairn.out.edge1.edge3.>' }];
    expect(peersToSource([edge1], [], plain, 'edge3')).toEqual([]);
  });

  it('peersToSource - drops a source the configuration no longer lists', () => {
    expect(peersToSource([cloud], [cloud], [mailboxSource('edge3', edge1)], 'edge3')).toEqual([cloud]);
  });

  it('sourceConsumerConfig - a durable push consumer acked by flow control, filtered to what the peer sends this site', () => {
    expect(sourceConsumerConfig('cloud', 'edge1')).toMatchObject({
      durable_name: 'cairn-src-edge1',
      deliver_subject: 'cairn.src.cloud.edge1',
      filter_subject: 'cairn.out.cloud.edge1.>',
      ack_policy: 'flow_control',
      flow_control: true,
      idle_heartbeat: 1_000_000_000,
    });
    expect(mailboxSource('edge1', cloud)).toEqual({
      name: 'CAIRN_OUT_cloud',
      consumer: { name: 'cairn-src-edge1', deliver_subject: 'cairn.src.cloud.edge1' },
      external: { api: '$JS.cloud.API', deliver: '' },
    });
  });
});

describe('retry delay', () => {
  it('backoffDelayMs - none before the first failure, then doubling from the minimum up to the cap', () => {
    const b = { initialMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5, 60, 10_000].map((n) => backoffDelayMs(n, b))).toEqual([0, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });
});

describe('stalled sources', () => {
  const reports = [
    { name: 'CAIRN_OUT_cloud', active: 400_000_000, seq: 12 }, // heard from 0.4 s ago
    { name: 'CAIRN_OUT_edge1', active: 15_000_000_000, seq: 7 }, // silent for 15 s
    { name: 'CAIRN_OUT_edge2', active: -1 }, // never delivered
  ];
  it('stalledSources - sources silent past the threshold, with how far the mailbox got; quiet ones are fine', () => {
    const since = new Map([['edge2', 1_000]]);
    expect(stalledSources([cloud, edge1, edge2], reports, 10_000, 5_000, since)).toEqual([{ peer: edge1, silentMs: 15_000, sourcedUpTo: 7 }]);
  });

  it('stalledSources - a source that never delivered counts from when it was added', () => {
    const since = new Map([['edge2', 1_000]]);
    expect(stalledSources([edge2], reports, 10_000, 12_000, since)).toEqual([{ peer: edge2, silentMs: -1, sourcedUpTo: 0 }]);
  });

  it('stalledSources - peers the mailbox does not source are not judged', () => {
    expect(stalledSources([{ site: 'edge9' }], reports, 10_000, 99_000, new Map())).toEqual([]);
  });

  it('stuckSources - a lagging source whose position does not move for the threshold is stuck, heartbeats or not', () => {
    const lagging = [{ name: 'CAIRN_OUT_cloud', active: 200_000_000, seq: 5_475, lag: 4_525 }];
    const first = stuckSources([cloud], lagging, 10_000, 1_000, new Map());
    expect(first.stuck).toEqual([]);
    expect(stuckSources([cloud], lagging, 10_000, 10_999, first.progress).stuck).toEqual([]);
    expect(stuckSources([cloud], lagging, 10_000, 11_000, first.progress).stuck).toEqual([{ peer: cloud, silentMs: 200, stuckMs: 10_000, sourcedUpTo: 5_475 }]);
  });

  it('stuckSources - a source that moves, or has caught up, is not stuck', () => {
    const before = new Map([['cloud', { seq: 100, since: 0 }]]);
    const moved = stuckSources([cloud], [{ name: 'CAIRN_OUT_cloud', active: 0, seq: 101, lag: 9 }], 10_000, 50_000, before);
    expect(moved.stuck).toEqual([]);
    expect(moved.progress.get('cloud')).toEqual({ seq: 101, since: 50_000 });
    const caughtUp = stuckSources([cloud], [{ name: 'CAIRN_OUT_cloud', active: 0, seq: 100, lag: 0 }], 10_000, 50_000, before);
    expect(caughtUp).toEqual({ stuck: [], progress: new Map() });
  });

  it('skipCheck - a consumer acknowledged past what the node received, with nothing pending, is a skip once seen twice', () => {
    const first = skipCheck(cloud, { ackFloor: 19_500, pending: 0 }, 2_900, 0, new Map());
    expect(first).toEqual({ suspect: { ackFloor: 19_500, highest: 2_900 } });
    expect(skipCheck(cloud, { ackFloor: 19_500, pending: 0 }, 2_900, 0, new Map([['cloud', first.suspect!]]))).toEqual({ skipped: { peer: cloud, fromSeq: 2_901, toSeq: 19_500 } });
  });

  it('skipCheck - messages still pending (on the consumer or in the mailbox), nothing received yet, or an ack floor the node reached decide nothing', () => {
    const before = new Map([['cloud', { ackFloor: 19_500, highest: 2_900 }]]);
    expect(skipCheck(cloud, { ackFloor: 19_500, pending: 3 }, 2_900, 0, before)).toEqual({});
    expect(skipCheck(cloud, { ackFloor: 19_500, pending: 0 }, 2_900, 12, before)).toEqual({});
    expect(skipCheck(cloud, { ackFloor: 19_500, pending: 0 }, undefined, 0, before)).toEqual({});
    expect(skipCheck(cloud, { ackFloor: 19_500, pending: 0 }, 19_500, 0, before)).toEqual({});
    // A different picture than last time is a new suspect, not a skip.
    expect(skipCheck(cloud, { ackFloor: 19_600, pending: 0 }, 2_900, 0, before)).toEqual({ suspect: { ackFloor: 19_600, highest: 2_900 } });
  });

  it('mailboxStreamConfig - lists its sources even when there are none (an update must be able to remove them)', () => {
    expect(mailboxStreamConfig('s', DEFAULT_MAILBOX_LIMITS, []).sources).toEqual([]);
  });
});
