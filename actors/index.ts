// Cairn's built-in modules, one folder each, every one declared with defineModule (the same
// contract third-party modules use). Manifests name them `module: cairn/<name>`.
import type { ModuleDefinition } from '../kernel/index.ts';
import { BridgeModule } from './bridge/index.ts';
import { HubModule } from './hub/index.ts';
import { TimerModule } from './timer/index.ts';

export const BUILTIN_MODULES: ReadonlyMap<string, ModuleDefinition> = new Map<string, ModuleDefinition>([
  [BridgeModule.name, BridgeModule as unknown as ModuleDefinition],
  [HubModule.name, HubModule as unknown as ModuleDefinition],
  [TimerModule.name, TimerModule as unknown as ModuleDefinition],
]);

export { TimerModule, TimerActor, TimerConfig } from './timer/index.ts';
export type { TimerMsg, TimerStatus } from './timer/index.ts';
export { HubModule, HubActor, HubConfig, HubPrincipal, hubConfigProblems, countIncidents, downlinkProblem, publishMessageProblems } from './hub/index.ts';
export type { HubMsg, HubPublishMsg, HubPublished, HubStatus, IncidentCounts, DeviceEvent } from './hub/index.ts';
export { deviceClientChanges, deviceEventSubject, certificateSubjectProblem, formatCertificateSubject, parseCertificateSubject, subjectFileName } from './hub/index.ts';
export type { SubjectPart } from './hub/index.ts';
export { BridgeModule, BridgeActor, BridgeConfig, BridgeRule, bridgeConfigProblems, ORIGIN_HEADER } from './bridge/index.ts';
export type { BridgeEventMsg, BridgeMsg, BridgeSendMsg, BridgeStatus } from './bridge/index.ts';
