import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { match } from 'ts-pattern';
import {
  CairnError,
  KernelCodes,
  LEADER_PING_INTERVAL_MS,
  LEADER_SILENCE_TIMEOUT_MS,
  NODE_HOST_PROTOCOL_VERSION,
  NodeHostSubjects,
  assertName,
  decodeHostRequest,
  decodeLeaderMessage,
  encodeNodeHostMessage,
} from '../../protocols/index.ts';
import type { HostReply, HostRequest, HostedGuestMessage } from '../../protocols/index.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { GuestChannel, GuestExit, GuestLauncher } from '../guest-channel.ts';
import type { RuntimeMode, RuntimeSpec } from '../runtime-spec.ts';
import { onConnectionInterrupted } from './connection-watch.ts';
import { hostedGuestExit } from './hosted-exit.ts';
import type { HostKillCause } from './hosted-exit.ts';
import { silentGuests } from './leader-silence.ts';

export interface NodeHostServiceOptions {
  /** This node's NATS connection. */
  readonly nc: NatsConnection;
  readonly site: string;
  /** This node's id. */
  readonly node: string;
  /** The local launcher for a runtime mode, or undefined when this node cannot run that mode. */
  readonly launcherFor: (mode: RuntimeMode) => GuestLauncher | undefined;
  readonly log: Logger;
  /** How long a leader may stay silent before its guests are killed. @default LEADER_SILENCE_TIMEOUT_MS (5000) */
  readonly leaderSilenceMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** A guest this node runs for a leader. */
export interface HostedGuestInfo {
  readonly actor: string;
  readonly leader: string;
  readonly incarnation: string;
  /** The local launcher's description ("worker 3", "pid 1234"...). */
  readonly describe: string;
}

/** How a hosted guest ended, as told to the leader. */
export type HostedGuestExitListener = (guest: HostedGuestInfo, exit: GuestExit) => void;

interface HostedGuest extends HostedGuestInfo {
  readonly channel: GuestChannel;
  readonly sub: Subscription;
  lastHeard: number;
  killCause: HostKillCause | undefined;
  /** Settles once the exit was published and the guest forgotten. */
  readonly done: Promise<void>;
}

/**
 * The host side of node hosting: runs guests for the site's leader with this node's launchers,
 * relays their host-protocol frames over core NATS and reports their exits. A guest whose leader
 * is silent for `leaderSilenceMs` (no ping, no frame) is killed, and so is every guest when this
 * node's own connection is interrupted: frames may have been lost, and the leader gives the guest
 * up on its side for the same reason.
 */
export class NodeHostService {
  private readonly guests_ = new Map<string, HostedGuest>();
  private readonly exitListeners = new Set<HostedGuestExitListener>();
  private readonly clock: Clock;
  private readonly silenceMs: number;
  private readonly lifetime = new AbortController();
  private control: Subscription | undefined;
  private stopWatching: (() => void) | undefined;
  private state: 'created' | 'running' | 'stopped' = 'created';

  constructor(private readonly opts: NodeHostServiceOptions) {
    assertName(opts.site, 'site name');
    assertName(opts.node, 'node id');
    this.clock = opts.clock ?? systemClock;
    this.silenceMs = opts.leaderSilenceMs ?? LEADER_SILENCE_TIMEOUT_MS;
    if (!Number.isFinite(this.silenceMs) || this.silenceMs <= LEADER_PING_INTERVAL_MS) {
      throw new CairnError(KernelCodes.INVALID_OPTION, `NodeHostService option leaderSilenceMs is ${this.silenceMs}; it must exceed the leaders' ping interval (${LEADER_PING_INTERVAL_MS} ms), e.g. ${LEADER_SILENCE_TIMEOUT_MS}`);
    }
  }

  /** Serves start/kill/usage/logs requests until `signal` fires or stop() is called. */
  start(signal: AbortSignal): void {
    if (this.state !== 'created') throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `the node host service of node ${this.opts.node} was already started`);
    this.state = 'running';
    this.control = this.opts.nc.subscribe(NodeHostSubjects.control(this.opts.site, this.opts.node), {
      callback: (err, msg) => {
        if (!err) void this.serve(msg);
      },
    });
    this.stopWatching = onConnectionInterrupted(this.opts.nc, (what) => {
      if (this.guests_.size > 0) this.opts.log.warn({ node: this.opts.node, what }, 'NATS connection interrupted: killing hosted guests');
      for (const guest of this.guests_.values()) void this.killGuest(guest, { type: 'connection-interrupted' });
    });
    void this.watchLeaders();
    if (signal.aborted) void this.stop();
    else signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  guests(): HostedGuestInfo[] {
    return [...this.guests_.values()].map(({ actor, leader, incarnation, describe }) => ({ actor, leader, incarnation, describe }));
  }

  /** Calls `listener` after each hosted guest ended and its exit was sent; returns the function that stops it. */
  onGuestExit(listener: HostedGuestExitListener): () => void {
    this.exitListeners.add(listener);
    return () => void this.exitListeners.delete(listener);
  }

  /** Kills every guest started by `leader` (leadership moved away from it) and waits until they are gone. */
  async killFromLeader(leader: string): Promise<void> {
    const theirs = [...this.guests_.values()].filter((g) => g.leader === leader);
    await Promise.all(theirs.map((g) => this.killGuest(g, { type: 'leader-released' })));
  }

  /** Stops serving and kills every hosted guest; their exits are flushed to the leaders. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.lifetime.abort();
    this.control?.unsubscribe();
    this.stopWatching?.();
    await Promise.all([...this.guests_.values()].map((g) => this.killGuest(g, { type: 'host-stopping' })));
    if (!this.opts.nc.isClosed()) await this.opts.nc.flush().catch(() => undefined);
  }

  private async serve(msg: Msg): Promise<void> {
    let reply: HostReply;
    try {
      const request = decodeHostRequest(msg.data);
      reply = await match(request)
        .with({ t: 'start' }, (r) => this.startGuest(r))
        .with({ t: 'kill' }, (r) => this.kill(r.incarnation))
        .with({ t: 'usage' }, async (r) => {
          const usage = await this.guests_.get(r.incarnation)?.channel.usage?.().catch(() => undefined);
          return { v: NODE_HOST_PROTOCOL_VERSION, t: 'usage', ...(usage ? { usage } : {}) } as const;
        })
        .with({ t: 'logs' }, async (r) => {
          const lines = (await this.guests_.get(r.incarnation)?.channel.logs?.().catch(() => undefined)) ?? [];
          return { v: NODE_HOST_PROTOCOL_VERSION, t: 'logs', lines } as const;
        })
        .exhaustive();
    } catch (err) {
      const code = err instanceof CairnError ? err.code : KernelCodes.GUEST_START_FAILED;
      reply = { v: NODE_HOST_PROTOCOL_VERSION, t: 'failed', code, error: (err as Error).message };
    }
    // A fire-and-forget kill has no reply subject; respond() then does nothing.
    try {
      msg.respond(encodeNodeHostMessage(reply));
    } catch {
      // The connection closed meanwhile; the leader times out.
    }
  }

  private async startGuest(r: Extract<HostRequest, { t: 'start' }>): Promise<HostReply> {
    const { site, node } = this.opts;
    if (this.state !== 'running') throw new CairnError(KernelCodes.GUEST_START_FAILED, `node ${node} is stopping and starts no guests`);
    if (this.guests_.has(r.incarnation)) throw new CairnError(KernelCodes.GUEST_START_FAILED, `node ${node} already runs incarnation ${r.incarnation} (of actor ${r.actor})`);
    const mode = r.spec.mode as RuntimeMode;
    const launcher = this.opts.launcherFor(mode);
    if (!launcher) {
      throw new CairnError(KernelCodes.RUNTIME_UNAVAILABLE, `node ${node} of site ${site} has no launcher for mode "${r.spec.mode}" (actor ${r.actor}): register one in its NodeHostService launcherFor, or place the actor on a node that has it`, { details: { node, mode: r.spec.mode, actor: r.actor } });
    }
    const toGuest = NodeHostSubjects.toGuest(site, node, r.incarnation);
    const fromGuest = NodeHostSubjects.fromGuest(site, node, r.incarnation);
    // The launcher checks the mode's own fields (module, command, image...).
    const channel = await launcher(r.spec as unknown as RuntimeSpec, { site, node, actor: r.actor }, this.lifetime.signal);
    if (this.state !== 'running') {
      await channel.kill();
      throw new CairnError(KernelCodes.GUEST_START_FAILED, `node ${node} stopped while starting actor ${r.actor}`);
    }
    // Assigned below, before any frame, ping or exit can arrive (they all come asynchronously).
    let guest!: HostedGuest;
    const publish = (message: HostedGuestMessage): void => {
      try {
        this.opts.nc.publish(fromGuest, encodeNodeHostMessage(message));
      } catch (err) {
        // Closed: the leader loses the guest through its liveness check. Otherwise the frame was
        // over the server's max_payload, and the leader would wait for it forever.
        if (!this.opts.nc.isClosed() && message.t === 'frame') void this.killGuest(guest, { type: 'frame-unrelayable', error: (err as Error).message });
      }
    };
    // Subscribed before the reply is sent, so the leader's first frame (init) finds it.
    const sub = this.opts.nc.subscribe(toGuest, {
      callback: (err, msg) => {
        if (err) return;
        guest.lastHeard = this.clock.now();
        try {
          const message = decodeLeaderMessage(msg.data);
          if (message.t === 'frame') channel.send(message.frame);
        } catch (e) {
          this.opts.log.warn({ err: e, actor: r.actor, leader: r.leader }, 'undecodable message from the leader; killing the guest');
          void this.killGuest(guest, { type: 'leader-request' });
        }
      },
    });
    channel.onFrame((frame) => publish({ t: 'frame', frame }));
    const done = channel.exited.then((exit) => {
      const told = hostedGuestExit(exit, guest.killCause, { node, leader: r.leader });
      publish({ t: 'exit', reason: told.reason, code: told.code });
      sub.unsubscribe();
      this.guests_.delete(r.incarnation);
      const info = { actor: guest.actor, leader: guest.leader, incarnation: guest.incarnation, describe: guest.describe };
      for (const l of [...this.exitListeners]) {
        try {
          l(info, told);
        } catch (err) {
          this.opts.log.warn({ err }, 'a hosted-guest exit listener threw');
        }
      }
    });
    guest = { actor: r.actor, leader: r.leader, incarnation: r.incarnation, describe: channel.describe, channel, sub, lastHeard: this.clock.now(), killCause: undefined, done };
    this.guests_.set(r.incarnation, guest);
    return { v: NODE_HOST_PROTOCOL_VERSION, t: 'started', describe: channel.describe };
  }

  private async kill(incarnation: string): Promise<HostReply> {
    const guest = this.guests_.get(incarnation);
    if (guest) await this.killGuest(guest, { type: 'leader-request' });
    return { v: NODE_HOST_PROTOCOL_VERSION, t: 'killed', found: guest !== undefined };
  }

  /** Kills the guest (the first cause given is the one reported) and waits until its exit was sent. */
  private async killGuest(guest: HostedGuest, cause: HostKillCause): Promise<void> {
    guest.killCause ??= cause;
    await guest.channel.kill().catch((err: unknown) => this.opts.log.warn({ err, actor: guest.actor, guest: guest.describe }, 'could not kill hosted guest'));
    await guest.done;
  }

  /** Kills the guests of silent leaders; checks once per leader ping interval. */
  private async watchLeaders(): Promise<void> {
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      await this.clock.sleep(LEADER_PING_INTERVAL_MS, signal).catch(() => undefined);
      if (signal.aborted) return;
      const now = this.clock.now();
      const unkilled = [...this.guests_.values()].filter((g) => g.killCause === undefined);
      for (const guest of silentGuests(unkilled, now, this.silenceMs)) {
        this.opts.log.warn({ actor: guest.actor, leader: guest.leader, guest: guest.describe }, 'leader silent: killing its guest');
        void this.killGuest(guest, { type: 'leader-silent', silentMs: now - guest.lastHeard });
      }
    }
  }
}
