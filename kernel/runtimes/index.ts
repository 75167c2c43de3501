// Launchers of the non-inline runtime modes, registered on a node with `registerRuntime(mode, launcher)`.
export { workerLauncher } from './worker-launcher.ts';
export type { WorkerLauncherOptions } from './worker-launcher.ts';
export { processLauncher, jsProcessSpec } from './process-launcher.ts';
export { importModule, sourceFile } from './import-module.ts';
export { jsContainerSpec, hostRuntimeContainerSpec } from './container-js-spec.ts';
export type { JsContainerExtra } from './container-js-spec.ts';
export type { ContainerSpec } from './container-create-options.ts';
export { PACKAGE_ROOT, ownModulePath } from './package-root.ts';
export type { ProcessLauncherOptions } from './process-launcher.ts';
export { cleanupOrphans, readRegistry, registryFile, DEFAULT_REGISTRY_DIR } from './process-registry.ts';
export type { GuestProcessRecord, OrphanCleanup } from './process-registry.ts';
export { ProcessUsage, parseProcStat, parseVmRss, cpuPercent } from './process-usage.ts';
export type { ProcStat } from './process-usage.ts';
