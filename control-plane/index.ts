/**
 * Public face of control-plane/: what every site runs to turn desired applications into running
 * actors. The manifest language (schema, parsing, diagnostics) in manifest/; desired state in the
 * cloud (apply, get, delete, rollback); the per-site app controller with its reconcile planning
 * and site placement; the route executor.
 */
export * from './manifest/index.ts';
export { AppStore, DEFAULT_APP_HISTORY, applyManifest, deleteApp, getApp, getApps, rollbackApp } from './app-store.ts';
export type { AppDetails, AppStoreOptions, AppSummary, ApplyResult, RollbackResult } from './app-store.ts';
export { APP_RECORD_VERSION, canonicalJson, decodeAppRecord, encodeAppRecord } from './app-record.ts';
export { diffApps, formatAppDiff } from './app-diff.ts';
export type { ActorChange, AppDiff } from './app-diff.ts';
export type { AppRecord, AppRevision, RecordedArtifact } from './app-record.ts';
export * from './artifacts/index.ts';
export { AppController, isTransient, startAppController } from './app-controller.ts';
export type { AppControllerOptions, ControlledApp } from './app-controller.ts';
export { planReconcile } from './plan-reconcile.ts';
export type { DesiredApp, ReconcileCommand, RunningApp } from './plan-reconcile.ts';
export { actorsForSite, siteFingerprint } from './site-actors.ts';
export { resolveRuntime, resolveModulePath, builtImageTag, hostedRuntime } from './resolve-runtime.ts';
export { loadActor, loadBehaviour } from './load-behaviour.ts';
export type { BehaviourContext, BehaviourFactory, LoadedActor, ModuleImporter } from './load-behaviour.ts';
export { loadModule, moduleCode } from './load-module.ts';
export { parseManifestWithModules } from './parse-with-modules.ts';
export { appTreeId, appTreeSpec } from './app-tree-spec.ts';
export { AppStatusBucket, readAppStatuses } from './app-status.ts';
export type { AppStatus, FetchProgress } from './app-status.ts';
export { appsMirrorConfig, openDesiredApps } from './desired-apps-bucket.ts';
export { appsJetStream } from './apps-jetstream.ts';
export { siteInstances, siteInstanceCount, sitePlacementRequest, nodeInfoOf, targetsSite } from './site-instances.ts';
export type { SiteInstance } from './site-instances.ts';
export { SitePlacer } from './site-placer.ts';
export type { AppPlan, SitePlacerOptions } from './site-placer.ts';
export { planRoutes, routeDeliveries } from './route-plan.ts';
export { withModuleRoutes } from './module-routes.ts';
export { ModuleStreams, isModuleStreamOf, planModuleStreams } from './module-streams.ts';
export { deviceAccessConflicts, planDeviceAccess } from './device-access-plan.ts';
export { DeviceAccessEntries } from './device-access-bucket.ts';
export type { ModuleStreamConfig } from './module-streams.ts';
export type { PlannedRoute, RoutePlan, RouteDelivery } from './route-plan.ts';
export { RouteExecutor, routeConsumerConfig, routeStreamConfig, ROUTE_CAPTURE_MAX_AGE_MS, ROUTE_CAPTURE_MAX_MSGS } from './route-executor.ts';
export { RouteForwarder } from './route-forwarder.ts';
export type { RouteForwarderOptions, RouteItem, RouteTell } from './route-forwarder.ts';
