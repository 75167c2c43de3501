import { describe, expect, it } from 'vitest';
import { coveringSubjects, filterCovers, filtersIntersect, mqttFilterProblem, mqttFilterSubjects, routeSubjects, subjectFilterProblem, subjectMatches } from '../../protocols/index.ts';

describe('route sources', () => {
  it('mqttFilterSubjects - maps topic filters as nats-server does, a trailing # also matching its parent', () => {
    expect(mqttFilterSubjects('plant/+/vibration/#')).toEqual(['plant.*.vibration', 'plant.*.vibration.>']);
    expect(mqttFilterSubjects('dock/+/camera/snapshot')).toEqual(['dock.*.camera.snapshot']);
    expect(routeSubjects({ subject: 'vibration.alerts.*' })).toEqual(['vibration.alerts.*']);
    expect(routeSubjects({ mqtt: 'a/b' })).toEqual(['a.b']);
  });

  it('mqttFilterProblem - refuses malformed wildcards, empty levels, characters NATS reserves, and leading wildcards', () => {
    expect(mqttFilterProblem('sensors/+/temp/#')).toBeUndefined();
    expect(mqttFilterProblem('sensors/#/temp')).toMatch(/# must be a whole level and the last/);
    expect(mqttFilterProblem('sensors/a+')).toMatch(/\+ must be a whole level/);
    for (const bad of ['/sensors', 'sensors/', 'a//b']) expect(mqttFilterProblem(bad)).toMatch(/levels may not be empty/);
    expect(mqttFilterProblem('v1.2/temp')).toMatch(/no "\."/);
    expect(mqttFilterProblem('#')).toMatch(/literal token/);
    expect(mqttFilterProblem('+/temp')).toMatch(/literal token/);
  });

  it('subjectFilterProblem - refuses malformed subjects and Cairn\u2019s, the server\u2019s and reply subjects', () => {
    expect(subjectFilterProblem('vibration.alerts.>')).toBeUndefined();
    expect(subjectFilterProblem('a..b')).toMatch(/non-empty/);
    expect(subjectFilterProblem('a.>.b')).toMatch(/whole last token/);
    expect(subjectFilterProblem('>')).toMatch(/literal token/);
    expect(subjectFilterProblem('*.temp')).toMatch(/literal token/);
    for (const reserved of ['cairn.mbx.x.y', '$JS.API.>', '_INBOX.abc', '$MQTT.msgs.a']) expect(subjectFilterProblem(reserved)).toMatch(/reserved/);
  });

  it('subjectMatches - * is one token, > one or more at the end', () => {
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.c.d')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b')).toBe(true);
    expect(subjectMatches('a.b', 'a.c')).toBe(false);
  });

  it('filtersIntersect - two filters overlap when some subject matches both (JetStream refuses such streams)', () => {
    for (const [a, b] of [['a.b', 'a.b'], ['a.*', 'a.b'], ['a.>', 'a.b.c'], ['*.b', 'a.*'], ['>', 'x']]) expect(filtersIntersect(a!, b!), `${a} ${b}`).toBe(true);
    for (const [a, b] of [['a.b', 'a.c'], ['a.*', 'a.b.c'], ['out.*', 'out.a.>'], ['a.>', 'a']]) expect(filtersIntersect(a!, b!), `${a} ${b}`).toBe(false);
  });

  it('coveringSubjects - keeps the filters no other one covers, each once', () => {
    expect(filterCovers('a.>', 'a.*.c')).toBe(true);
    expect(filterCovers('a.*.c', 'a.>')).toBe(false);
    expect(filterCovers('a.*', 'a.b')).toBe(true);
    expect(filterCovers('a.b', 'a.*')).toBe(false);
    expect(coveringSubjects(['a.b', 'a.>', 'x.*', 'x.y', 'x.y', 'a'])).toEqual(['a', 'a.>', 'x.*']);
  });
});
