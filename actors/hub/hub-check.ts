import { DOWNLINK_USER, SITE_INTERNAL_USER, mqttFilterProblem, subjectFilterProblem } from '../../protocols/index.ts';
import { isAbsolute } from 'node:path';
import type { ModuleConfigProblem } from '../../kernel/index.ts';
import type { HubConfig } from './hub-config.ts';

/**
 * What a hub config its schema accepts still cannot be: a topic filter nats-server would map to
 * something else or that reaches Cairn's own subjects, a user name given twice or taken by the
 * site itself, two listeners on one port. Pure.
 */
export function hubConfigProblems(config: HubConfig): ModuleConfigProblem[] {
  const problems: ModuleConfigProblem[] = [];
  const seen = new Map<string, number>();
  config.principals.forEach((p, i) => {
    if (p.username === SITE_INTERNAL_USER || p.username === DOWNLINK_USER) problems.push({ path: ['principals', i, 'username'], message: `"${p.username}" is a user of the site itself: pick another name` });
    const first = seen.get(p.username);
    if (first !== undefined) problems.push({ path: ['principals', i, 'username'], message: `user ${JSON.stringify(p.username)} is already principals[${first}]: give each device login once` });
    else seen.set(p.username, i);
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
    if (tls.verify && tls.ca === undefined) problems.push({ path: ['listeners', name, 'tls', 'ca'], message: 'verify needs the CA that device certificates must chain to' });
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
