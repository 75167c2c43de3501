export { ActorSystem, createActorSystem } from './actor-system.ts';
export type { SystemOptions, SupervisorHandle } from './actor-system.ts';
export { Supervisor } from './supervisor.ts';
export { resolveSupervisorSpec } from './supervisor-spec.ts';
export type { SupervisorSpec, ChildInput } from './supervisor-spec.ts';
export * from './core/index.ts';
export { workerRuntime, processRuntime, defaultRuntimes } from './runtimes.ts';
export { containerRuntime } from './container-runtime.ts';
export type { Runtime, ProcessRuntimeOptions } from './runtimes.ts';
