/** Public face of deploy/apply: desired state in the cloud (apply, get, delete, rollback) and the per-site app controller. */
export { AppStore, DEFAULT_APP_HISTORY, applyManifest, deleteApp, getApp, getApps, rollbackApp } from './app-store.ts';
export type { AppDetails, AppStoreOptions, AppSummary, ApplyResult, RollbackResult } from './app-store.ts';
export { APP_RECORD_VERSION, canonicalJson } from './app-record.ts';
export type { AppRecord, AppRevision } from './app-record.ts';
export { AppController, startAppController } from './app-controller.ts';
export type { AppControllerOptions, ControlledApp } from './app-controller.ts';
export { planReconcile } from './plan-reconcile.ts';
export type { DesiredApp, ReconcileCommand, RunningApp } from './plan-reconcile.ts';
export { actorsForSite, siteFingerprint } from './site-actors.ts';
export { resolveRuntime, resolveModulePath, builtImageTag } from './resolve-runtime.ts';
export { loadBehaviour } from './load-behaviour.ts';
export type { BehaviourContext, BehaviourFactory, ModuleImporter } from './load-behaviour.ts';
export { appTreeId, appTreeSpec } from './app-tree-spec.ts';
export { AppStatusBucket, readAppStatuses } from './app-status.ts';
export type { AppStatus } from './app-status.ts';
export { appsMirrorConfig, openDesiredApps } from './desired-apps-bucket.ts';
export { appsJetStream } from './apps-jetstream.ts';
