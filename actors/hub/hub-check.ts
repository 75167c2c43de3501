import { DOWNLINK_USER, SITE_INTERNAL_USER, mqttFilterProblem, subjectFilterProblem } from '../../protocols/index.ts';
import { isAbsolute } from 'node:path';
import type { ModuleConfigProblem } from '../../kernel/index.ts';
import type { HubConfig } from './hub-config.ts';
import { certificateSubjectProblem } from './certificate-subject.ts';

/**
 * What a hub config its schema accepts still cannot be: a topic filter nats-server would map to
 * something else or that reaches Cairn's own subjects, a user name given twice or taken by the
 * site itself, two listeners on one port. Pure.
 */
export function hubConfigProblems(config: HubConfig): ModuleConfigProblem[] {
  const problems: ModuleConfigProblem[] = [];
  const seen = new Map<string, number>();
  const mapping = Object.values(config.listeners).some((l) => l?.tls?.map === true);
  config.principals.forEach((p, i) => {
    const byCert = p.certificate !== undefined;
    if (byCert === (p.username !== undefined || p.password !== undefined) || (!byCert && (p.username === undefined || p.password === undefined))) {
      problems.push({ path: ['principals', i], message: 'give a username and a password, or a certificate subject (certificate), not both' });
      return;
    }
    if (byCert && !mapping) problems.push({ path: ['principals', i, 'certificate'], message: 'a certificate principal logs in on a listener that maps certificates: set tls.map (with ca) on the mqtt listener' });
    const subjectProblem = byCert ? certificateSubjectProblem(p.certificate!) : undefined;
    if (subjectProblem !== undefined) problems.push({ path: ['principals', i, 'certificate'], message: `${JSON.stringify(p.certificate)} ${subjectProblem}` });
    if (!byCert && mapping) problems.push({ path: ['principals', i, 'username'], message: 'a listener with tls.map logs devices in by certificate only: make this principal a certificate one, or drop tls.map' });
    const name = (p.certificate ?? p.username)!;
    if (name === SITE_INTERNAL_USER || name === DOWNLINK_USER) problems.push({ path: ['principals', i, 'username'], message: `"${name}" is a user of the site itself: pick another name` });
    const first = seen.get(name);
    if (first !== undefined) problems.push({ path: ['principals', i, byCert ? 'certificate' : 'username'], message: `${byCert ? 'certificate' : 'user'} ${JSON.stringify(name)} is already principals[${first}]: give each device login once` });
    else seen.set(name, i);
    for (const field of ['publish', 'subscribe'] as const) {
      p[field].forEach((filter, j) => {
        const problem = mqttFilterProblem(filter);
        if (problem !== undefined) problems.push({ path: ['principals', i, field, j], message: `topic filter ${JSON.stringify(filter)} cannot be allowed: ${problem}` });
      });
    }
  });
  const { mqtt, websocket } = config.listeners;
  for (const [name, l] of [['mqtt', mqtt], ['websocket', websocket]] as const) {
    const tls = l?.tls;
    if (!tls) continue;
    for (const field of ['cert', 'key', 'ca'] as const) {
      const path = tls[field];
      if (path !== undefined && !isAbsolute(path)) problems.push({ path: ['listeners', name, 'tls', field], message: `${JSON.stringify(path)} is not an absolute path: the site's server reads it on its own machine, from no particular folder` });
    }
    if ((tls.verify || tls.map) && tls.ca === undefined) problems.push({ path: ['listeners', name, 'tls', 'ca'], message: `${tls.map ? 'map' : 'verify'} needs the CA that device certificates must chain to` });
    // nats-server maps MQTT over WebSocket with the MQTT listener's setting.
    if (tls.map && name === 'websocket') problems.push({ path: ['listeners', name, 'tls', 'map'], message: "set map on the mqtt listener: nats-server maps WebSocket devices' certificates with the MQTT listener's setting" });
  }
  if (mqtt && websocket && mqtt.port === websocket.port && (mqtt.host ?? '') === (websocket.host ?? '')) {
    problems.push({ path: ['listeners', 'websocket', 'port'], message: `port ${websocket.port} is the mqtt listener's too: give each listener its own port` });
  }
  if (config.events) {
    const problem = subjectFilterProblem(config.events.subject);
    if (problem !== undefined) problems.push({ path: ['events', 'subject'], message: `device events cannot be published on ${JSON.stringify(config.events.subject)}: ${problem}` });
  }
  return problems;
}
