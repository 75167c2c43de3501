// `import { … } from 'cairn'`: what programs that run actors write code against. Internals that
// Cairn's own folders share are in 'cairn/internal'; manifests in 'cairn/manifest'; helpers for
// tests in 'cairn/testing'; writing modules in 'cairn/module'.

// Actor systems and supervision.
export { createActorSystem, ActorSystem } from '../supervisor-trees/index.ts';
export type { SystemOptions, SupervisorHandle, SupervisorSpec, ChildInput } from '../supervisor-trees/index.ts';
// Execution modes a system offers (its `runtimes` option); containers are opt-in.
export { defaultRuntimes, workerRuntime, processRuntime, containerRuntime } from '../supervisor-trees/index.ts';
export type { Runtime, ProcessRuntimeOptions } from '../supervisor-trees/index.ts';

// Defining actors and talking to them; modules (also in 'cairn/module', with TypeBox's Type).
export { defineActor, defineRemoteActor, defineModule, DEFAULT_RETRY, ActorRef, INLINE } from '../kernel/index.ts';
export type {
  ActorDefinition,
  ActorSpec,
  ModuleDefinition,
  ModuleSpec,
  RemoteActorSpec,
  MessageOf,
  StateOf,
  OnError,
  RetryPolicy,
  MailboxPolicy,
  Message,
  Asks,
  ReplyOf,
  ReplyFor,
  TellOptions,
  AskOptions,
  ActorContext,
  ActorConfig,
  SpawnOptions,
  RestartType,
  RuntimeSpec,
  RuntimeMode,
  PeerSite,
  MailboxLimits,
  Clock,
  ActorEventListener,
  ExitReason,
} from '../kernel/index.ts';

// Where handlers run besides inline: worker threads, processes, containers, other languages.
// (Container specs are plain data: importing them loads no Docker client.)
export { jsProcessSpec, jsContainerSpec, hostRuntimeContainerSpec } from '../kernel/runtimes/index.ts';
export type { ContainerSpec, JsContainerExtra } from '../kernel/runtimes/index.ts';

// Errors: every error Cairn raises is a CairnError with a stable code from the registry.
export { CairnError, isCairnError, errorCodes, KernelCodes, SupervisorCodes, PlacementCodes, ManifestCodes, DeployCodes } from '../protocols/index.ts';
export type { ErrorCodeEntry, ActorEvent, ActorInfo, ActorStatus, RoutedMessage } from '../protocols/index.ts';

// The NATS server Cairn runs on.
export { MIN_NATS_SERVER_VERSION, PINNED_NATS_SERVER_VERSION } from '../protocols/index.ts';
