import type { ActorConfig, ActorContext } from './actor-context.ts';
import type { Message } from './message.ts';
import { CairnError, KernelCodes, isName, backoffDelayMs } from '../protocols/index.ts';

/** What happens to the actor when its handler throws. */
export type OnError =
  /** The incarnation crashes: its supervisor restarts it (counted in restart intensity) and the
   *  new incarnation retries the message. OTP's "let it crash". */
  | 'restart'
  /** The actor keeps its incarnation; the staged state change is discarded and the message retried. */
  | 'resume';

export interface RetryPolicy {
  /** Attempts before the message goes to the dead-letter stream. @default 3 */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles each attempt. @default 100 */
  readonly initialBackoffMs: number;
  /** Upper bound of the delay between attempts. @default 5000 */
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 5_000 };

export interface MailboxPolicy {
  /**
   * At most this many messages wait for one instance of the actor besides the one it handles;
   * a message arriving when they do goes to the site's dead letters (CAIRN_MAILBOX_OVERFLOW),
   * the actor's queue stays bounded, and its node's other actors keep receiving. Without it only
   * the site's limit applies (the node option mailbox.capacity, per actor subject, which refuses
   * the sender instead). @default undefined (no limit of its own)
   */
  readonly capacity?: number;
}

export interface ActorSpec<M extends Message, S, C extends ActorConfig = ActorConfig> {
  /** Behaviour name shown by `cairn ps`; also how manifests refer to it. */
  readonly name: string;
  /** Initial state, or a function making it. Omit for stateless actors. */
  readonly initialState?: S | (() => S);
  /** Save the state to KV after every handled message and restore it on (re)start. @default false */
  readonly persist?: boolean;
  /** @default 'restart' */
  readonly onError?: OnError;
  /** Handler-failure retries before dead-lettering. */
  readonly retry?: Partial<RetryPolicy>;
  /** Bounds of the actor's own queue. @default {} */
  readonly mailbox?: MailboxPolicy;
  /** Handles one message. The return value is the reply when the message was asked. */
  receive(msg: M, ctx: ActorContext<M, S, C>): unknown;
  /** Runs when an incarnation starts, after state is loaded. Throwing here is a crash. */
  onStart?(ctx: ActorContext<M, S, C>): void | Promise<void>;
  /** Runs when an incarnation stops (shutdown or before a restart). */
  onStop?(ctx: ActorContext<M, S, C>): void | Promise<void>;
  /**
   * A few figures `cairn ps` shows beside the actor (a bridge's peer and buffer), from its state and
   * what its incarnation keeps in memory. Called on the node for each listing: keep it cheap and
   * never throw. Inline actors only.
   */
  figures?(view: FiguresView<S>): ActorFigures;
}

/** What `figures` is given. */
export interface FiguresView<S> {
  readonly id: string;
  readonly site: string;
  /** The committed state. */
  readonly state: S;
}

/** A behaviour's own figures for `cairn ps` from a view of its actor; undefined when it has none or they failed. Pure but for the behaviour's code. */
export function behaviourFigures<S>(def: { figures?(view: FiguresView<S>): ActorFigures }, view: FiguresView<S>): ActorFigures | undefined {
  if (!def.figures) return undefined;
  try {
    return def.figures(view);
  } catch {
    return undefined;
  }
}

/** Short named figures for `cairn ps` (`peer: 'up'`, `buffered: 12`). */
export type ActorFigures = Readonly<Record<string, string | number | boolean>>;

export interface ActorDefinition<M extends Message = Message, S = unknown, C extends ActorConfig = ActorConfig> {
  readonly kind: 'cairn.actor';
  readonly name: string;
  readonly persist: boolean;
  readonly onError: OnError;
  readonly retry: RetryPolicy;
  readonly mailbox: MailboxPolicy;
  makeInitialState(): S;
  receive(msg: M, ctx: ActorContext<M, S, C>): unknown;
  onStart?(ctx: ActorContext<M, S, C>): void | Promise<void>;
  onStop?(ctx: ActorContext<M, S, C>): void | Promise<void>;
  figures?(view: FiguresView<S>): ActorFigures;
}

/** The message union an actor definition handles. */
export type MessageOf<D> = D extends ActorDefinition<infer M, unknown> ? M : never;
/** The state type of an actor definition. */
export type StateOf<D> = D extends ActorDefinition<Message, infer S> ? S : never;

/**
 * Defines an actor behaviour. Pure data plus functions: it can be spawned any number of times
 * under different ids, here or on another node.
 *
 * ```ts
 * type CounterMsg = { type: 'inc'; by: number } | ({ type: 'get' } & Asks<number>);
 * const Counter = defineActor<CounterMsg, { n: number }>({
 *   name: 'counter', persist: true, initialState: { n: 0 },
 *   receive: (msg, ctx) => match(msg)
 *     .with({ type: 'inc' }, ({ by }) => ctx.setState({ n: ctx.state.n + by }))
 *     .with({ type: 'get' }, () => ctx.state.n)
 *     .exhaustive(),
 * });
 * ```
 */
export function defineActor<M extends Message, S = undefined, C extends ActorConfig = ActorConfig>(spec: ActorSpec<M, S, C>): ActorDefinition<M, S, C> {
  if (!isName(spec.name)) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `actor name ${JSON.stringify(spec.name)} is not valid: use [A-Za-z0-9_-], starting with a letter or digit`);
  }
  if (typeof spec.receive !== 'function') {
    throw new CairnError(KernelCodes.INVALID_OPTION, `actor "${spec.name}": receive must be a function (got ${typeof spec.receive})`);
  }
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...spec.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `actor "${spec.name}": retry.maxAttempts is ${retry.maxAttempts}; expected an integer >= 1`);
  }
  if (!(retry.initialBackoffMs >= 0) || !(retry.maxBackoffMs >= retry.initialBackoffMs)) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `actor "${spec.name}": retry backoff must satisfy 0 <= initialBackoffMs <= maxBackoffMs (got ${retry.initialBackoffMs}, ${retry.maxBackoffMs})`);
  }
  const capacity = spec.mailbox?.capacity;
  if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `actor "${spec.name}": mailbox.capacity is ${capacity}; expected an integer >= 1`);
  }
  if (spec.onError !== undefined && spec.onError !== 'restart' && spec.onError !== 'resume') {
    throw new CairnError(KernelCodes.INVALID_OPTION, `actor "${spec.name}": onError is ${JSON.stringify(spec.onError)}; expected "restart" or "resume"`);
  }
  const init = spec.initialState;
  return {
    kind: 'cairn.actor',
    name: spec.name,
    persist: spec.persist ?? false,
    onError: spec.onError ?? 'restart',
    retry,
    mailbox: capacity === undefined ? {} : { capacity },
    makeInitialState: () => (typeof init === 'function' ? (init as () => S)() : structuredClone(init as S)),
    receive: spec.receive,
    ...(spec.onStart ? { onStart: spec.onStart } : {}),
    ...(spec.onStop ? { onStop: spec.onStop } : {}),
    ...(spec.figures ? { figures: spec.figures } : {}),
  };
}

/** Delay before attempt `attempt + 1` after `attempt` failures (exponential, capped). */
export function retryDelayMs(attempt: number, retry: RetryPolicy): number {
  return backoffDelayMs(attempt, { initialMs: retry.initialBackoffMs, maxMs: retry.maxBackoffMs });
}

/** Policies of an actor whose handler lives outside this process (process or container mode, any language). */
export interface RemoteActorSpec {
  readonly name: string;
  /** @default false */
  readonly persist?: boolean;
  /** @default 'restart' */
  readonly onError?: OnError;
  readonly retry?: Partial<RetryPolicy>;
  /** @default {} */
  readonly mailbox?: MailboxPolicy;
}

/**
 * Defines an actor whose code is not JavaScript in this process: a guest speaking the host
 * protocol (protocols/README.md) started by its runtime spec. It cannot run inline.
 */
export function defineRemoteActor<M extends Message = Message, S = unknown>(spec: RemoteActorSpec): ActorDefinition<M, S> {
  return defineActor<M, S>({
    ...spec,
    initialState: undefined as S,
    receive: () => {
      throw new CairnError(KernelCodes.UNSUPPORTED_IN_MODE, `actor behaviour "${spec.name}" is a remote actor: spawn it with runtime { mode: 'process' | 'container', ... }`);
    },
  });
}
