// Which stream captures a subject, for publishOnSite: asked of JetStream, remembered a second.
import { describe, expect, it } from 'vitest';
import { CAPTURE_LOOKUP_TTL_MS, CapturingStreams } from '../../kernel/site-publish.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

/** A JetStreamManager whose streams.find answers from `streams` (subject → stream), counting the asks. */
function jsmOf(streams: Map<string, string>, failure?: Error) {
  const asked: string[] = [];
  const jsm = {
    streams: {
      find: async (subject: string) => {
        asked.push(subject);
        if (failure) throw failure;
        const stream = streams.get(subject);
        if (stream === undefined) throw new Error('no stream matches subject');
        return stream;
      },
    },
  };
  return { nats: { jsm } as never, asked };
}

describe('capturing streams', () => {
  it('CapturingStreams - asks JetStream once per subject and second, no stream is an answer too, and a stream made meanwhile is seen after the second', async () => {
    const streams = new Map([['plant.a', 'CAIRN_RT_s_plant']]);
    const { nats, asked } = jsmOf(streams);
    const clock = new FakeClock();
    const lookup = new CapturingStreams(nats, clock);
    expect(await lookup.of('plant.a')).toBe('CAIRN_RT_s_plant');
    expect(await lookup.of('plant.b')).toBeUndefined();
    streams.set('plant.b', 'CAIRN_RT_s_plant');
    expect(await lookup.of('plant.a')).toBe('CAIRN_RT_s_plant');
    expect(await lookup.of('plant.b')).toBeUndefined();
    expect(asked).toEqual(['plant.a', 'plant.b']);
    clock.advance(CAPTURE_LOOKUP_TTL_MS);
    expect(await lookup.of('plant.b')).toBe('CAIRN_RT_s_plant');
    expect(asked).toEqual(['plant.a', 'plant.b', 'plant.b']);
  });

  it('CapturingStreams - a site without JetStream captures nothing; another failure reaches the caller', async () => {
    const noResponders = Object.assign(new Error('503 no responders'), { name: 'NoRespondersError' });
    expect(await new CapturingStreams(jsmOf(new Map(), noResponders).nats, new FakeClock()).of('x')).toBeUndefined();
    await expect(new CapturingStreams(jsmOf(new Map(), new Error('timeout')).nats, new FakeClock()).of('x')).rejects.toThrow('timeout');
  });
});

describe('publishOnSite with plain subscribers on the subject', () => {
  it('publishOnSite - a subject nobody stores but a plain subscriber hears is published (it used to time out); one a stream captures is stored and acked; publishOnSiteAsQos1 without an MQTT store just publishes, marked', async () => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const { publishOnSite, publishOnSiteAsQos1 } = await import('../../kernel/index.ts');
    const { startTestServer } = await import('../helpers/nats.ts');
    const server = await startTestServer();
    const nc = await connect({ servers: server.url });
    try {
      const nats = { connection: nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
      const heard: string[] = [];
      nc.subscribe('>', { callback: (_e, m) => void (m.subject.startsWith('$JS') || m.subject.startsWith('_INBOX') || heard.push(`${m.subject} ${m.string()} ${m.headers?.get('Nmqtt-Pub') || '-'}`)) });
      await nc.flush();
      // Before, each of these waited out a JetStream publish (the subscriber took the request, nobody answered) and failed.
      await publishOnSite(nats, 'plant.p1.cmd', new TextEncoder().encode('close'));
      await publishOnSiteAsQos1(nats, 'plant.p1.cmd', new TextEncoder().encode('open'));
      await nats.jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
      await publishOnSite(nats, 'keep.1', new TextEncoder().encode('kept'));
      expect((await nats.jsm.streams.info('KEEP')).state.messages).toBe(1);
      await nc.flush();
      expect(heard).toEqual(['plant.p1.cmd close -', '$MQTT.msgs.plant.p1.cmd open 1', 'plant.p1.cmd open 1', 'keep.1 kept -']);
    } finally {
      await nc.close();
      await server.cleanup();
    }
  });
});
