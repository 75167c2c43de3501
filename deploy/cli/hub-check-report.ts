// What `cairn hub check` says of an application: for each device principal of its hub, where what
// it may publish goes (which routes take it, or none), and the routes no device may feed. Pure.
import { Value } from '@sinclair/typebox/value';
import { HubConfig } from '../../actors/index.ts';
import { filterCovers, filtersIntersect, mqttFilterSubjects, mqttTopicProblem, subjectMatches } from '../../protocols/index.ts';
import type { Application } from '../../control-plane/index.ts';

export interface HubCheckLine {
  /** 'ok': goes somewhere; 'warn': would be dropped or reach nothing. */
  readonly level: 'ok' | 'warn';
  readonly text: string;
}

interface MqttRoute {
  readonly index: number;
  readonly filter: string;
  readonly actor: string;
}

const subjectsOf = (filter: string): string[] => mqttFilterSubjects(filter);
const meets = (a: string, b: string): boolean => subjectsOf(a).some((x) => subjectsOf(b).some((y) => filtersIntersect(x, y)));
const covers = (general: string, specific: string): boolean => subjectsOf(specific).every((s) => subjectsOf(general).some((g) => filterCovers(g, s)));

function mqttRoutes(app: Application): MqttRoute[] {
  return app.spec.routes.flatMap((r, index) => (r.from.mqtt === undefined ? [] : [{ index, filter: r.from.mqtt, actor: r.to.actor }]));
}

/** The hubs of `app`, their configs with defaults filled in. */
export function hubs(app: Application): { id: string; config: HubConfig }[] {
  return app.spec.actors.filter((a) => a.module === 'cairn/hub').map((a) => ({ id: a.id, config: Value.Default(HubConfig, structuredClone(a.config ?? {})) as HubConfig }));
}

/** The lines of `cairn hub check` for `app` (none when it has no hub). */
export function hubCheckLines(app: Application): HubCheckLine[] {
  const routes = mqttRoutes(app);
  const lines: HubCheckLine[] = [];
  for (const hub of hubs(app)) {
    const principals = hub.config.principals;
    if (principals.length === 0) {
      lines.push({ level: 'warn', text: `${app.metadata.name}/${hub.id}: no principals: any device may connect and publish anywhere (a trusted network only)` });
      continue;
    }
    for (const p of principals) {
      const who = (p.certificate ?? p.username)!;
      if (p.publish.length === 0) lines.push({ level: 'ok', text: `${who}: may publish nothing (every publish is acknowledged and dropped)` });
      for (const filter of p.publish) {
        const taking = routes.filter((r) => meets(filter, r.filter));
        if (taking.length === 0) {
          lines.push({ level: 'warn', text: `${who} publishes ${filter}: no route takes it; it reaches only devices subscribed to it` });
          continue;
        }
        for (const r of taking) {
          const part = covers(r.filter, filter) ? '' : ` (only what also matches ${r.filter})`;
          lines.push({ level: 'ok', text: `${who} publishes ${filter} -> ${r.actor} (spec.routes[${r.index}])${part}` });
        }
      }
    }
    for (const r of routes) {
      if (!principals.some((p) => p.publish.some((f) => meets(f, r.filter)))) {
        lines.push({ level: 'warn', text: `spec.routes[${r.index}] (${r.filter} -> ${r.actor}): no principal may publish there; the server acknowledges and drops what devices send, so this route gets nothing from devices` });
      }
    }
  }
  return lines;
}

/** What becomes of `topic` published by principal `who`: dropped (and why), or which routes take it. */
export function hubCheckTopic(app: Application, who: string, topic: string): HubCheckLine[] {
  const problem = mqttTopicProblem(topic);
  if (problem !== undefined) return [{ level: 'warn', text: `${topic}: ${problem}` }];
  const subject = topic.split('/').join('.');
  const lines: HubCheckLine[] = [];
  for (const hub of hubs(app)) {
    const p = hub.config.principals.find((x) => (x.certificate ?? x.username) === who);
    if (hub.config.principals.length > 0 && !p) {
      lines.push({ level: 'warn', text: `${app.metadata.name}/${hub.id}: no principal ${JSON.stringify(who)} (principals: ${hub.config.principals.map((x) => x.certificate ?? x.username).join(', ')})` });
      continue;
    }
    if (p && !p.publish.some((f) => subjectsOf(f).some((s) => subjectMatches(s, subject)))) {
      lines.push({ level: 'warn', text: `${who} publishing ${topic}: dropped: outside its publish filters (${p.publish.join(', ') || 'none'}); the server acknowledges it and the hub counts a publish-denied` });
      continue;
    }
    const taking = mqttRoutes(app).filter((r) => subjectsOf(r.filter).some((s) => subjectMatches(s, subject)));
    if (taking.length === 0) lines.push({ level: 'warn', text: `${who} publishing ${topic}: allowed, but no route takes it; it reaches only devices subscribed to it` });
    for (const r of taking) lines.push({ level: 'ok', text: `${who} publishing ${topic}: allowed -> ${r.actor} (spec.routes[${r.index}])` });
  }
  return lines;
}
