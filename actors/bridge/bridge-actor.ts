import { match } from 'ts-pattern';
import { defineActor, moduleStreamName, publishOnSiteAsQos1, systemClock } from '../../kernel/index.ts';
import type { ActorContext, Asks, SiteNats } from '../../kernel/index.ts';
import { CairnError, ModuleCodes, backoffDelayMs, mqttTopicProblem } from '../../protocols/index.ts';
import type { BridgeConfig } from './bridge-config.ts';
import { OutboundPump } from './bridge-outbound.ts';
import type { BufferReading } from './bridge-outbound.ts';
import { PeerLink } from './bridge-peer.ts';
import type { Peer } from './bridge-peer.ts';
import { NatsPeer } from './bridge-nats-peer.ts';
import { isNatsPeer } from './bridge-check.ts';
import { ORIGIN_HEADER, inboundDecision, inboundSubscriptions, outboundCrossing, outboundSubjects } from './bridge-topics.ts';

/** The name of the outbound buffer among the bridge's module streams. */
export const OUTBOUND_STREAM = 'out';

/**
 * A message for the peer, from an actor: stored in the outbound buffer on `topic` (a site topic an
 * outbound rule covers), then sent like what devices publish there. Resolves once buffered.
 */
export type BridgeSendMsg = { type: 'send'; topic: string; payload: string | Uint8Array } & Asks<{ readonly topic: string }>;

/** What a bridge tells `report.to`: its peer went down or came back, or its buffer dropped messages. */
export interface BridgeEventMsg {
  readonly type: 'bridge-event';
  /** `<site>/<bridge id>`. */
  readonly bridge: string;
  readonly event: 'peer-down' | 'peer-up' | 'dropped';
  readonly code?: string;
  readonly count?: number;
  readonly reason?: string;
  /** ISO time. */
  readonly at: string;
}

/** What a bridge handles: messages to send, a status question, and what its own link and pump tell it. */
export type BridgeMsg =
  | BridgeSendMsg
  | ({ type: 'status' } & Asks<BridgeStatus>)
  | { type: 'bridge-dropped'; count: number; upTo: number; reason?: string }
  | { type: 'bridge-peer'; up: boolean; reason?: string; at: number }
  | { type: 'bridge-subscribed'; filters: string[] };

export interface BridgeStatus {
  readonly peer: { readonly url: string; readonly connected: boolean; readonly since?: string };
  readonly buffer: BufferReading;
  /** Outbound messages dropped unsent (buffer limits, or refused by the peer), since the bridge was first started. */
  readonly dropped: number;
  /** Since this incarnation started: sent to the peer (acknowledged), not sent back to it (they came from it), brought from it, refused from it. */
  readonly sent: number;
  readonly returned: number;
  readonly brought: number;
  readonly refused: number;
}

/** What a bridge keeps (persisted): its drop count, the buffer sequence it accounted for, the filters its peer session holds. */
export interface BridgeState {
  readonly dropped: number;
  readonly floor: number;
  readonly subscribed?: readonly string[];
}

interface Running {
  readonly peer: Peer;
  readonly pump: OutboundPump;
  brought: number;
  refused: number;
}

// The link and pump of each running bridge incarnation, by site and actor id.
const running = new Map<string, Running>();
const key = (ctx: { site: string; id: string }): string => `${ctx.site}/${ctx.id}`;

function siteNats(ctx: { nats?: SiteNats | undefined }): SiteNats {
  if (!ctx.nats) throw new CairnError(ModuleCodes.BRIDGE_NO_CONNECTION, 'the bridge runs inline only: it reads its buffer with its node\'s connection to the site; remove `runtime` from it');
  return ctx.nats;
}

/** Runs `task` until `signal` aborts, again after each failure with backoff. */
async function forever(task: () => Promise<void>, signal: AbortSignal, onFailure: (err: unknown, attempt: number) => void): Promise<void> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await task();
      attempt = 0;
    } catch (err) {
      if (signal.aborted) return;
      onFailure(err, attempt);
    }
    if (!signal.aborted) await new Promise((r) => setTimeout(r, backoffDelayMs(attempt, { initialMs: 500, maxMs: 30_000 })));
  }
}

async function start(ctx: ActorContext<BridgeMsg, BridgeState, BridgeConfig>): Promise<void> {
  const nats = siteNats(ctx);
  const origin = key(ctx);
  const { config } = ctx;
  const subscriptions = inboundSubscriptions(config);
  let r: Running | undefined;
  const peerOptions = {
    url: config.peer.url,
    clientId: config.peer.clientId ?? `cairn-bridge-${ctx.site}-${ctx.id}`,
    username: config.peer.username,
    password: config.peer.password,
    keepaliveS: config.peer.keepaliveS,
    subscriptions,
    unsubscribe: (ctx.state.subscribed ?? []).filter((f) => !(f in subscriptions)),
    onSubscribed: (filters: readonly string[]) => {
      if (JSON.stringify(filters) !== JSON.stringify(ctx.state.subscribed ?? [])) void ctx.self.tell({ type: 'bridge-subscribed', filters: [...filters] }).catch(() => undefined);
    },
    clock: systemClock,
    bring: async (topic: string, payload: Buffer) => {
      const decision = inboundDecision(config.rules, topic);
      if (decision.kind === 'refuse') {
        if (r) r.refused += 1;
        ctx.log.warn({ topic, code: ModuleCodes.BRIDGE_INBOUND_REFUSED }, `bridge: a message from the peer was not brought onto the site: ${decision.why}`);
        return;
      }
      await publishOnSiteAsQos1(nats, decision.subject, payload, { [ORIGIN_HEADER]: origin });
      if (r) r.brought += 1;
    },
    onState: (up: boolean, reason?: string) => void ctx.self.tell({ type: 'bridge-peer', up, ...(reason === undefined ? {} : { reason }), at: Date.now() }).catch(() => undefined),
  };
  const peer: Peer = isNatsPeer(config.peer.url) ? await NatsPeer.open({ ...peerOptions, jetstream: config.peer.jetstream ?? false }) : await PeerLink.open(peerOptions);
  // Stopped while it connected: this incarnation's client must not outlive it (the next one takes the same session).
  if (ctx.signal.aborted) {
    await peer.close();
    return;
  }
  const pump = new OutboundPump({
    nats,
    stream: moduleStreamName(ctx.site, ctx.id, OUTBOUND_STREAM),
    rules: config.rules,
    inflight: config.inflight,
    ackWaitMs: config.ackWaitS * 1_000,
    origin,
    peer,
    floor: ctx.state.floor,
    clock: systemClock,
    log: ctx.log,
    onDropped: (count, upTo, reason) => {
      ctx.self.tell({ type: 'bridge-dropped', count, upTo, ...(reason === undefined ? {} : { reason }) }).catch((err: unknown) => ctx.log.error({ err, count }, 'bridge: a drop was not recorded'));
    },
  });
  r = { peer, pump, brought: 0, refused: 0 };
  running.set(origin, r);
  ctx.signal.addEventListener('abort', () => {
    if (running.get(origin) === r) running.delete(origin);
    void peer.close();
  }, { once: true });
  // A bridge with only inbound rules has no buffer to read.
  if (outboundSubjects(config).length > 0) void forever(() => pump.run(ctx.signal), ctx.signal, (err, attempt) => ctx.log.error({ err, attempt }, 'bridge: reading the outbound buffer failed; retrying'));
}

async function report(ctx: ActorContext<BridgeMsg, BridgeState, BridgeConfig>, event: Omit<BridgeEventMsg, 'type' | 'bridge' | 'at'>): Promise<void> {
  if (ctx.config.report) await ctx.tell(ctx.ref<BridgeEventMsg>(ctx.config.report.to), { type: 'bridge-event', bridge: key(ctx), at: new Date().toISOString(), ...event });
}

/**
 * The bridge: connects its site to one remote MQTT broker. Outbound rules' site topics are
 * captured in its buffer stream and sent to the peer (acked on the peer's acknowledgement);
 * inbound rules' peer topics are brought onto the site, marked so they are never sent back.
 */
export const BridgeActor = defineActor<BridgeMsg, BridgeState, BridgeConfig>({
  name: 'bridge',
  persist: true,
  initialState: { dropped: 0, floor: 0 },
  // A bad `send` is the sender's problem: the bridge does not restart for it.
  onError: 'resume',
  retry: { maxAttempts: 5, initialBackoffMs: 200, maxBackoffMs: 5_000 },
  onStart: start,
  // `cairn ps`: peer up or down, what waits in the buffer, how old its oldest is, what was dropped.
  figures: ({ site, id, state }) => {
    const r = running.get(key({ site, id }));
    const oldest = r?.pump.buffer.oldestAgeMs;
    return {
      peer: r?.peer.connected ? 'up' : 'down',
      buffered: r?.pump.buffer.messages ?? 0,
      oldest: oldest === undefined ? '-' : `${Math.round(oldest / 1000)}s`,
      dropped: state.dropped,
    };
  },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'send' }, async (m) => {
        const problems = [
          ...(typeof m.topic === 'string' ? [] : [`topic must be a string, got ${JSON.stringify(m.topic) ?? 'nothing'}`]),
          ...(typeof m.payload === 'string' || m.payload instanceof Uint8Array ? [] : [`payload must be a string or bytes, got ${JSON.stringify(m.payload) ?? 'nothing'}`]),
        ];
        if (problems.length > 0) throw new CairnError(ModuleCodes.BRIDGE_MESSAGE_INVALID, `the bridge cannot send this message: ${problems.join('; ')}`, { details: { problems } });
        const problem = mqttTopicProblem(m.topic) ?? (outboundCrossing(ctx.config.rules, m.topic) ? undefined : 'no outbound rule of this bridge covers it');
        if (problem !== undefined) throw new CairnError(ModuleCodes.BRIDGE_TOPIC_REFUSED, `the bridge cannot send to topic ${JSON.stringify(m.topic)}: ${problem}`, { details: { topic: m.topic } });
        const payload = typeof m.payload === 'string' ? new TextEncoder().encode(m.payload) : m.payload;
        // The envelope id de-duplicates a retried handler's store.
        await siteNats(ctx).js.publish(m.topic.split('/').join('.'), payload, ctx.envelope ? { msgID: `bridge:${ctx.envelope.id}` } : {});
        return { topic: m.topic };
      })
      .with({ type: 'bridge-dropped' }, async (m) => {
        if (m.upTo <= ctx.state.floor && m.reason === undefined) return;
        ctx.setState({ ...ctx.state, dropped: ctx.state.dropped + m.count, floor: Math.max(ctx.state.floor, m.upTo) });
        ctx.log.warn({ count: m.count, code: ModuleCodes.BRIDGE_DROPPED }, `bridge: ${m.count} outbound messages dropped unsent: ${m.reason ?? 'the buffer reached a limit (buffer.maxAgeMs, maxBytes or maxMsgs)'}`);
        await report(ctx, { event: 'dropped', code: ModuleCodes.BRIDGE_DROPPED, count: m.count, ...(m.reason === undefined ? {} : { reason: m.reason }) });
      })
      .with({ type: 'bridge-subscribed' }, (m) => {
        ctx.setState({ ...ctx.state, subscribed: m.filters });
      })
      .with({ type: 'bridge-peer' }, async (m) => {
        if (m.up && m.reason !== undefined) {
          ctx.log.warn({ url: ctx.config.peer.url, reason: m.reason, code: ModuleCodes.BRIDGE_SUBSCRIBE_REFUSED }, `bridge: ${m.reason}; nothing comes in by those rules until it next connects`);
          return;
        }
        if (m.up) ctx.log.info({ url: ctx.config.peer.url }, 'bridge: connected to the peer');
        else ctx.log.warn({ url: ctx.config.peer.url, reason: m.reason, code: ModuleCodes.BRIDGE_PEER_DOWN }, `bridge: the peer is down or unreachable (${m.reason ?? 'no reason given'}); outbound messages wait in the buffer, retrying with backoff`);
        await report(ctx, { event: m.up ? 'peer-up' : 'peer-down', ...(m.up ? {} : { code: ModuleCodes.BRIDGE_PEER_DOWN }), ...(m.reason === undefined ? {} : { reason: m.reason }) });
      })
      .with({ type: 'status' }, (): BridgeStatus => {
        const r = running.get(key(ctx));
        const since = r?.peer.since;
        return {
          peer: { url: ctx.config.peer.url, connected: r?.peer.connected ?? false, ...(since === undefined ? {} : { since: new Date(since).toISOString() }) },
          buffer: r?.pump.buffer ?? { messages: 0, bytes: 0, oldestAgeMs: undefined },
          dropped: ctx.state.dropped,
          sent: r?.pump.counts.sent ?? 0,
          returned: r?.pump.counts.returned ?? 0,
          brought: r?.brought ?? 0,
          refused: r?.refused ?? 0,
        };
      })
      .exhaustive(),
});
