import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { CairnError, KernelCodes, formatAddress } from '../../protocols/index.ts';
import type { ErrorBody, GuestFrame, GuestSend, NodeFrame } from '../../protocols/index.ts';
import { ActorRef } from '../actor-ref.ts';
import type { AskOptions, MessageSender, TellOptions } from '../actor-ref.ts';
import type { ActorContext } from '../actor-context.ts';
import type { ActorDefinition } from '../actor-definition.ts';
import type { Message } from '../message.ts';
import type { ActorAddress } from '../../protocols/index.ts';

/** How a guest talks to its node: frames both ways, and a way to end the guest. */
export interface GuestTransport {
  send(frame: GuestFrame): void;
  onFrame(listener: (frame: NodeFrame) => void): void;
  exit(code: number): void;
}

const DEFAULT_GUEST_ASK_TIMEOUT_MS = 5_000;

/**
 * Runs one actor behaviour as a guest of a node (worker, process or container mode): answers
 * init/msg/stop frames with the same semantics as an inline actor. Sends made by the handler are
 * returned with its result (the node publishes them before acking); asks go through the node.
 */
export function serveGuest<M extends Message, S>(def: ActorDefinition<M, S>, transport: GuestTransport): void {
  let identity: { id: string; site: string; node: string; config: Readonly<Record<string, unknown>> } | undefined;
  let state: S;
  let asks = 0;
  const pendingAsks = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let incarnation = new AbortController();
  // Made when a handler first logs: loading pino is a third of a guest's own start-up.
  let logger: Logger | undefined;
  const log = (): Logger => (logger ??= guestLogger(transport));

  const sendError = (n: number, err: unknown): void => {
    const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
    transport.send({ t: 'error', n, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), ...(code ? { code } : {}) });
  };

  function context(msg: Extract<NodeFrame, { t: 'msg' }> | undefined, slot: { staged?: { value: S } }, sends: GuestSend[]): ActorContext<M, S> {
    const who = identity!;
    let sent = 0;
    const sender: MessageSender = {
      tell: async (to: ActorAddress, body: Message, opts?: TellOptions) => {
        if (!msg) throw new CairnError(KernelCodes.UNSUPPORTED_IN_MODE, 'a guest actor can only tell while handling a message');
        // Every option a tell takes travels with the send (an option dropped here would be silently ignored).
        if (opts?.signal !== undefined || opts?.timeout !== undefined) {
          throw new CairnError(KernelCodes.UNSUPPORTED_IN_MODE, 'a guest actor\'s tell is published by the node after the handler returns: signal and timeout do not apply there; leave them out');
        }
        sends.push({ to: formatAddress(to), id: opts?.id ?? `${msg.env.id}/${++sent}`, body: body as GuestSend['body'], ...(opts?.headers ? { hdr: opts.headers } : {}), ...(opts?.ttl !== undefined ? { ttl: opts.ttl } : {}) });
      },
      ask: (to: ActorAddress, body: Message, opts?: AskOptions) =>
        new Promise((resolve, reject) => {
          const n = ++asks;
          pendingAsks.set(n, { resolve, reject });
          if (opts?.signal !== undefined || opts?.id !== undefined) {
            reject(new CairnError(KernelCodes.UNSUPPORTED_IN_MODE, 'a guest actor\'s ask is sent by the node: signal and id do not apply there; leave them out'));
            return;
          }
          transport.send({ t: 'ask', n, to: formatAddress(to), body: body as GuestSend['body'], timeout: opts?.timeout ?? DEFAULT_GUEST_ASK_TIMEOUT_MS, ...(opts?.headers ? { hdr: opts.headers } : {}), ...(opts?.ttl !== undefined ? { ttl: opts.ttl } : {}) });
        }),
    };
    const unsupported = (what: string) => () => Promise.reject(new CairnError(KernelCodes.UNSUPPORTED_IN_MODE, `ctx.${what} is not available to a guest actor; send a message to an inline actor that does it`));
    return {
      self: new ActorRef<M>({ site: who.site, actor: who.id }, sender),
      id: who.id,
      site: who.site,
      node: who.node,
      config: who.config,
      get state() {
        return slot.staged ? slot.staged.value : state;
      },
      setState(next: S) {
        slot.staged = { value: next };
      },
      envelope: msg?.env,
      attempt: msg?.attempt ?? 0,
      signal: incarnation.signal,
      get log() {
        return log();
      },
      tell: (to, body, opts) => sender.tell(to.address, body, opts),
      ask: (to, body, opts) => sender.ask(to.address, body, opts) as never,
      ref: (id, site) => new ActorRef({ site: site ?? who.site, actor: id }, sender),
      spawn: unsupported('spawn') as never,
      stop: unsupported('stop') as never,
    };
  }

  const handlers: { [T in NodeFrame['t']]: (f: Extract<NodeFrame, { t: T }>) => void | Promise<void> } = {
    init: async (f) => {
      identity = { id: f.id, site: f.site, node: f.node, config: Object.freeze({ ...f.config }) };
      incarnation = new AbortController();
      try {
        state = f.state ? (f.state.value as S) : def.makeInitialState();
        if (def.onStart) await def.onStart(context(undefined, {}, []));
        transport.send({ t: 'ready', ...(f.state ? {} : { state: { value: state } }) });
      } catch (err) {
        transport.send({ t: 'failed', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    },
    msg: async (f) => {
      const slot: { staged?: { value: S } } = {};
      const sends: GuestSend[] = [];
      try {
        const reply = await def.receive(f.env.body as M, context(f, slot, sends));
        if (slot.staged) state = slot.staged.value;
        transport.send({ t: 'done', n: f.n, reply: reply ?? null, ...(slot.staged ? { state: slot.staged } : {}), sends });
      } catch (err) {
        sendError(f.n, err);
      }
    },
    asked: (f) => {
      const waiter = pendingAsks.get(f.n);
      pendingAsks.delete(f.n);
      if (!waiter) return;
      if (f.ok) waiter.resolve(f.value);
      else waiter.reject(new CairnError((f.error as ErrorBody).code, (f.error as ErrorBody).message));
    },
    stop: async () => {
      incarnation.abort(new Error('stopping'));
      try {
        if (def.onStop && identity) await def.onStop(context(undefined, {}, []));
      } finally {
        transport.send({ t: 'stopped' });
        transport.exit(0);
      }
    },
  };
  // A table keyed by every frame type (the compiler checks it is complete), not ts-pattern: a
  // guest's start-up time is what a restart costs, and loading a library is part of it.
  transport.onFrame((frame) => void (handlers[frame.t] as (f: NodeFrame) => void | Promise<void>)(frame));
}

/** A pino logger whose lines travel to the node as log frames (stdout belongs to the protocol). */
function guestLogger(transport: GuestTransport): Logger {
  const levels: Record<number, 'debug' | 'info' | 'warn' | 'error'> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };
  const pino = createRequire(import.meta.url)('pino') as typeof import('pino');
  return pino.pino(
    { level: process.env.CAIRN_LOG_LEVEL ?? 'info', base: undefined, timestamp: false },
    {
      write(line: string) {
        try {
          const parsed = JSON.parse(line) as { level: number; msg?: string };
          transport.send({ t: 'log', level: levels[parsed.level] ?? 'info', msg: parsed.msg ?? line.trim() });
        } catch {
          transport.send({ t: 'log', level: 'info', msg: line.trim() });
        }
      },
    },
  );
}

/** Loads an actor definition from a module path and export name (the worker/process entry points). */
export async function loadDefinition(modulePath: string, exportName = 'default'): Promise<ActorDefinition<Message, unknown>> {
  const url = modulePath.startsWith('file:') ? modulePath : new URL(modulePath, `file://${process.cwd()}/`).href;
  return pickDefinition((await import(url)) as Record<string, unknown>, exportName, modulePath);
}

/** The actor definition exported as `exportName` by an imported module; a clear error otherwise. */
export function pickDefinition(mod: Record<string, unknown>, exportName: string, modulePath: string): ActorDefinition<Message, unknown> {
  const def = mod[exportName] as ActorDefinition<Message, unknown> | undefined;
  if (typeof def === 'function') {
    // A factory `(config, context) => defineActor(...)`: only inline mode calls one (it runs in the node).
    throw new CairnError(KernelCodes.GUEST_START_FAILED, `module ${modulePath} exports "${exportName}" as a function (a behaviour factory), which only inline mode calls; for a worker, process or container export the defineActor result itself and read the manifest's config from ctx.config`);
  }
  if (!def || def.kind !== 'cairn.actor') {
    throw new CairnError(KernelCodes.GUEST_START_FAILED, `module ${modulePath} has no actor definition export "${exportName}" (exports: ${Object.keys(mod).join(', ') || 'none'}); export the result of defineActor`);
  }
  return def;
}
