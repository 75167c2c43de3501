// cairn/hub: MQTT devices on the site's own nats-server: listeners, principals, what was refused.
import { defineModule } from '../../kernel/index.ts';
import { HubActor } from './hub-actor.ts';
import { hubConfigProblems } from './hub-check.ts';
import { HubConfig } from './hub-config.ts';

export const HubModule = defineModule({
  name: 'cairn/hub',
  description: "Serves MQTT devices from its site's nats-server: listeners and principals with topic permissions; counts and reports what the server refused",
  config: HubConfig,
  behaviour: HubActor,
  // It is told what its site's server refused by the process running that server, on the leader.
  modes: ['inline'],
  check: hubConfigProblems,
  deviceAccess: (config) => ({
    ...(config.listeners.mqtt === undefined ? {} : { mqtt: config.listeners.mqtt }),
    ...(config.listeners.websocket === undefined ? {} : { websocket: config.listeners.websocket }),
    principals: config.principals.map((p) => ({ username: (p.certificate ?? p.username)!, ...(p.password === undefined ? {} : { password: p.password }), publish: p.publish, subscribe: p.subscribe })),
  }),
});

export { HubActor, countIncidents, downlinkProblem, publishMessageProblems, RECENT_INCIDENTS } from './hub-actor.ts';
export type { HubMsg, HubPublishMsg, HubPublished, HubState, HubStatus, IncidentCounts } from './hub-actor.ts';
export { HubConfig, HubPrincipal, HubTls } from './hub-config.ts';
export { hubConfigProblems } from './hub-check.ts';
export { deviceClientChanges, deviceEventSubject } from './hub-clients.ts';
export { certificateSubjectProblem, formatCertificateSubject, parseCertificateSubject, subjectFileName, SUBJECT_ATTRIBUTES } from './certificate-subject.ts';
export type { SubjectAttribute, SubjectPart } from './certificate-subject.ts';
export type { DeviceEvent } from './hub-clients.ts';
