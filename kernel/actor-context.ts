import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Envelope } from '../protocols/index.ts';
import type { ActorRef, AskOptions, TellOptions } from './actor-ref.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { Message, ReplyFor } from './message.ts';
import type { RestartType } from './spawner.ts';
import type { RuntimeSpec } from './runtime-spec.ts';

export interface SpawnOptions {
  /** The actor's id on this site: its address and mailbox name. */
  readonly id: string;
  /** OTP restart type under its supervisor. @default 'permanent' */
  readonly restart?: RestartType;
  /** How long a graceful stop may take before the handler is aborted, in ms. @default 5000 */
  readonly shutdownMs?: number;
  /** Where the handler runs: inline, a worker thread, a process or a container. @default { mode: 'inline' } */
  readonly runtime?: RuntimeSpec;
  /** What this actor is configured with: `ctx.config` in every mode (a manifest's `config`). @default {} */
  readonly config?: ActorConfig;
}

/** An actor's configuration: a JSON-like map (it crosses process boundaries as msgpack). */
export type ActorConfig = Readonly<Record<string, unknown>>;

/** The node's own connection to its site's server, with JetStream in the site's domain. */
export interface SiteNats {
  readonly connection: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/** What a handler sees: its identity and state, the message's metadata, and the ways to act. */
export interface ActorContext<M extends Message = Message, S = unknown, C extends ActorConfig = ActorConfig> {
  readonly self: ActorRef<M>;
  /** The actor's configuration (SpawnOptions.config, a manifest's `config`), the same in every mode. */
  readonly config: C;
  readonly id: string;
  readonly site: string;
  readonly node: string;
  /** State as of the last successfully handled message (or staged by setState in this handler). */
  readonly state: S;
  /** Stages the next state. Committed (and persisted) only if the handler returns without throwing. */
  setState(next: S): void;
  /** The envelope of the message being handled; undefined in onStart/onStop. */
  readonly envelope: Envelope | undefined;
  /** 1 for the first attempt at this message, 2 for the first retry, ... */
  readonly attempt: number;
  /** Aborted when this incarnation stops or crashes: pass it to long awaits. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Inline actors only (undefined in worker, process and container guests): the node's connection
   * to its site's server, for what messages cannot do, such as reading a module's own streams
   * (`moduleStreamName`). The whole node shares it: never close or drain it.
   */
  readonly nats?: SiteNats;
  tell<T extends Message>(to: ActorRef<T>, msg: T, opts?: TellOptions): Promise<void>;
  ask<T extends Message, Q extends T>(to: ActorRef<T>, msg: Q, opts?: AskOptions): Promise<ReplyFor<T, Q['type']>>;
  /** A ref to another actor by id (this site unless `site` is given). */
  ref<T extends Message = Message>(id: string, site?: string): ActorRef<T>;
  /** Spawns a dynamic child of this node's root supervisor. */
  spawn<T extends Message, S2>(def: ActorDefinition<T, S2>, opts: SpawnOptions): Promise<ActorRef<T>>;
  /** Stops an actor of this node (gracefully, then by force after its shutdown timeout). */
  stop(target: ActorRef | string): Promise<void>;
}
