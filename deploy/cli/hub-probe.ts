// Runs a hub's probes (hub-probe-plan.ts) against a throwaway nats-server configured as the site's
// server would be for the hub's principals: the server's own permission checks decide, nothing is
// published on the site. Loopback only; the server and its files are gone when this returns.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { connect } from '@nats-io/transport-node';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import { freePorts, startNatsServer, withDeviceAccess } from '../nats-server/index.ts';
import type { HubProbePlan, HubProbeResult } from './hub-probe-plan.ts';

export interface HubProbeOptions {
  /** The nats-server binary. @default the one `cairn up` would run */
  readonly binary?: string;
  /** How long one device step (connect, publish, subscribe) may take. @default 10_000 */
  readonly stepTimeoutMs?: number;
}

const MARK = 'cairn-hub-check:';

/**
 * Publishes and subscribes as each principal of `plan` on a throwaway server, and reads what
 * reached the server's subscribers. Principals log in with a password made for the probe (also
 * those that log in by certificate on the site): it is their permissions that are tried.
 */
export async function probeHub(plan: HubProbePlan, opts: HubProbeOptions = {}): Promise<HubProbeResult> {
  const stepMs = opts.stepTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'cairn-hub-check-'));
  try {
    const [port, mqttPort] = await freePorts(2);
    const secret = (): string => randomBytes(12).toString('hex');
    const passwords = plan.principals.map(() => secret());
    const config = withDeviceAccess(
      { server_name: 'cairn-hub-check', host: '127.0.0.1', port: port!, jetstream: { store_dir: join(dir, 'js') } },
      [{ actor: plan.hub, mqtt: { host: '127.0.0.1', port: mqttPort! }, principals: plan.principals.map((p, i) => ({ username: p.username, password: passwords[i]!, publish: p.publish, subscribe: p.subscribe })) }],
      secret(),
    );
    const server = await startNatsServer({ config, dir, ...(opts.binary === undefined ? {} : { binary: opts.binary }) });
    try {
      return await probeOn(plan, server.url, `mqtt://127.0.0.1:${mqttPort}`, passwords, stepMs);
    } finally {
      await server.stop();
    }
  } finally {
    // Its files go too, also when the server did not start.
    await rm(dir, { recursive: true, force: true });
  }
}

/** The probes of `plan` on a running server: principal i logs in with `passwords[i]`. */
async function probeOn(plan: HubProbePlan, natsUrl: string, mqttUrl: string, passwords: readonly string[], stepMs: number): Promise<HubProbeResult> {
  // The server's own user (no credentials: no_auth_user) sees every subject.
  const observer = await connect({ servers: natsUrl, name: 'cairn-hub-check' });
  try {
    const seen = new Set<number>();
    observer.subscribe('>', {
      callback: (_err, m) => {
        const text = m.string();
        if (text.startsWith(MARK)) seen.add(Number(text.slice(MARK.length)));
      },
    });
    await observer.flush();
    const { connect: connectMqtt } = await import('mqtt');
    const granted: boolean[] = [];
    for (const [i, p] of plan.principals.entries()) {
      const device = connectMqtt(mqttUrl, { username: p.username, password: passwords[i]!, clientId: `cairn-hub-check-${i}`, clean: true, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: stepMs });
      try {
        await probeStep(connected(device), stepMs, `log in as ${p.username}`);
        // QoS 1: the server delivers a publish before it acknowledges it (or acknowledges a denied one).
        for (const [n, probe] of plan.publishes.entries()) {
          if (probe.who === p.username) await probeStep(device.publishAsync(probe.topic, `${MARK}${n}`, { qos: 1 }), stepMs, `publish ${probe.topic} as ${p.username}`);
        }
        for (const probe of plan.subscribes) {
          if (probe.who !== p.username) continue;
          granted.push(await probeStep(subscribed(device, probe.filter), stepMs, `subscribe ${probe.filter} as ${p.username}`));
        }
      } finally {
        await device.endAsync(true).catch(() => undefined);
      }
    }
    // What the server delivered before its acks is ahead of this round trip's answer.
    await observer.flush();
    return { delivered: plan.publishes.map((_, n) => seen.has(n)), granted };
  } finally {
    await observer.close();
  }
}

/** Whether the server granted a subscription to `filter` (MQTT 3.1.1 refuses one with 0x80, which mqtt.js throws). */
async function subscribed(device: MqttClient, filter: string): Promise<boolean> {
  try {
    const answer = await device.subscribeAsync(filter, { qos: 1 });
    return answer.length > 0 && answer.every((g) => g.qos !== 128);
  } catch (err) {
    const suback = (err as { packet?: { cmd?: string; granted?: unknown[] } }).packet;
    if (suback?.cmd === 'suback' && suback.granted?.includes(128)) return false;
    throw err;
  }
}

function connected(device: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    device.once('connect', () => resolve());
    device.once('error', reject);
    device.once('close', () => reject(new Error('the server closed the connection')));
  });
}

/** `work`, failed with CAIRN_HUB_CHECK_PROBE_FAILED naming `what` when it fails or gets no answer in `ms`. */
export async function probeStep<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
      }),
    ]);
  } catch (err) {
    throw new CairnError(DeployCodes.HUB_CHECK_PROBE_FAILED, `hub check: the throwaway server did not let the check ${what}: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
