// `import { … } from 'cairn/module'`: writing a module, a capability that manifests configure by
// name (`module: acme/beacon` … `config:`), checked against its schema before anything is stored.
// Type is TypeBox's, re-exported so a module's schema and Cairn's checks share one TypeBox.
export { defineModule, isModuleDefinition, defineActor, moduleStreamName } from '../kernel/index.ts';
export type { ModuleConfigProblem, ModuleDefinition, ModuleSpec, ModuleStreamSpec, ActorDefinition, ActorContext, Asks, Message, SiteNats } from '../kernel/index.ts';
export type { DeviceAccess, DeviceIncident, DeviceIncidentsMsg, DeviceListener, DevicePrincipal } from '../protocols/index.ts';
export type { RouteSource, RoutedMessage } from '../protocols/index.ts';
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
// Cairn's built-in modules, by name (cairn/timer, …).
export { BUILTIN_MODULES } from '../actors/index.ts';
export { TimerModule, TimerConfig, HubModule, HubConfig, BridgeModule, BridgeConfig, ORIGIN_HEADER } from '../actors/index.ts';
export type { TimerMsg, TimerStatus, HubMsg, HubPublishMsg, HubPublished, HubStatus, BridgeEventMsg, BridgeMsg, BridgeSendMsg, BridgeStatus } from '../actors/index.ts';
