// What `cairn hub check` tries on its throwaway server, and what it says of the answers. Pure.
import { describe, expect, it } from 'vitest';
import { parseManifestOrThrow } from '../../../control-plane/index.ts';
import { hubs } from '../../../deploy/cli/hub-check-report.ts';
import { hubProbeLines, hubProbePlans, meetingTopic, probeTopics } from '../../../deploy/cli/hub-probe-plan.ts';

const MANIFEST = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: plant }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners: { mqtt: { port: 1883 } }
        principals:
          - { username: s1, password: pw, publish: ["plant/s1/#"], subscribe: ["cmd/s1/#"] }
          - { username: s2, password: pw, publish: ["plant/s2/temp"] }
    - { id: readings, behaviour: { module: ./readings.ts } }
  routes:
    - { from: { mqtt: "plant/+/temp" }, to: { actor: readings } }
`;

describe('hub check probes', () => {
  it('probe topics - a wildcard becomes a probe level, and a trailing # also probes its parent topic', () => {
    expect(probeTopics('a/b')).toEqual(['a/b']);
    expect(probeTopics('a/+/c')).toEqual(['a/cairn-probe/c']);
    expect(probeTopics('a/+/#')).toEqual(['a/cairn-probe/cairn-probe', 'a/cairn-probe']);
    expect(probeTopics('#')).toEqual(['cairn-probe']);
  });

  it('meeting topic - a topic two filters both match, or none when they cannot meet', () => {
    expect(meetingTopic('plant/+/temp', 'plant/s1/#')).toBe('plant/s1/temp');
    expect(meetingTopic('plant/s1/#', 'plant/+/temp')).toBe('plant/s1/temp');
    expect(meetingTopic('a/+', 'a/+')).toBe('a/cairn-probe');
    expect(meetingTopic('a/#', 'a')).toBe('a');
    expect(meetingTopic('a/+', 'a')).toBe(undefined);
    expect(meetingTopic('a/b', 'a/c')).toBe(undefined);
    expect(meetingTopic('a/b', 'a/b/c')).toBe(undefined);
    expect(meetingTopic('#', 'x/+/y')).toBe('x/cairn-probe/y');
  });

  it('plan - each principal publishes its own topics, the routes where they meet its filters, and the routes as such; it subscribes to its own filters', () => {
    const app = parseManifestOrThrow(MANIFEST).app;
    const [plan] = hubProbePlans(app, hubs(app));
    expect(plan!.publishes.map((p) => `${p.who} ${p.topic} ${p.allowed ? 'allowed' : 'denied'}`)).toEqual([
      's1 plant/s1/cairn-probe allowed',
      's1 plant/s1 allowed',
      's1 plant/s1/temp allowed',
      's1 plant/cairn-probe/temp denied',
      's2 plant/s2/temp allowed',
      's2 plant/cairn-probe/temp denied',
    ]);
    expect(plan!.subscribes).toEqual([{ who: 's1', filter: 'cmd/s1/#' }]);
    expect(plan!.principals.map((p) => p.username)).toEqual(['s1', 's2']);
  });

  it('plan - a hub without principals lets any device do anything and has nothing to try', () => {
    const app = parseManifestOrThrow(MANIFEST.replace(/ {8}principals:\n( {10}.*\n)+/, '')).app;
    expect(hubProbePlans(app, hubs(app))).toEqual([]);
  });

  it('lines - the server agreeing with the filters is ok either way; delivering what they deny, dropping what they allow, or refusing a subscription is a warning', () => {
    const app = parseManifestOrThrow(MANIFEST).app;
    const [plan] = hubProbePlans(app, hubs(app));
    const agreeing = plan!.publishes.map((p) => p.allowed);
    expect(hubProbeLines(plan!, { delivered: agreeing, granted: [true] }).every((l) => l.level === 'ok')).toBe(true);
    const lines = hubProbeLines(plan!, { delivered: agreeing.map((a, i) => (i < 4 ? !a : a)), granted: [false] }).filter((l) => l.level === 'warn');
    expect(lines.map((l) => l.text)).toEqual([
      'server: s1 publishing plant/s1/cairn-probe: dropped, though its publish filters allow it',
      'server: s1 publishing plant/s1: dropped, though its publish filters allow it',
      'server: s1 publishing plant/s1/temp: dropped, though its publish filters allow it',
      'server: s1 publishing plant/cairn-probe/temp: delivered, though outside its publish filters',
      'server: s1 subscribing cmd/s1/#: refused, though its subscribe filters allow it',
    ]);
  });
});
