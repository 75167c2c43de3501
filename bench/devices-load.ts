// The devices of bench/devices.ts: a process of its own, as devices are not in the process that
// receives their messages (in one process, the mqtt.js clients and the receiver — a bare reader or
// Cairn's node — would take turns on one JavaScript thread and slow each other down).
// bench/devices.ts starts it with one JSON line of DeviceLoad on stdin; it connects the devices,
// sends each one warm-up message, says `{"ready":true}`, and on a `go` line runs the load and says
// `{"ackedMs":…,"cpuMs":…}` (its own CPU over the load, ms) before it exits.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { sharedNow } from './shared-clock.ts';

export interface DeviceLoad {
  readonly mqttUrl: string;
  readonly auth: { username?: string; password?: string };
  readonly devices: number;
  /** throughput: `n` messages between the devices, each device waiting for each PUBACK. latency: `rate` msg/s for `seconds`, without waiting, each payload its send time. */
  readonly mode: { readonly kind: 'throughput'; readonly n: number; readonly warmup: number } | { readonly kind: 'latency'; readonly rate: number; readonly seconds: number };
}

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function run(load: DeviceLoad, lines: AsyncIterator<string>): Promise<void> {
  const clients: MqttClient[] = await Promise.all(
    Array.from({ length: load.devices }, (_, i) => connectAsync(load.mqttUrl, { clientId: `meter-${i}`, protocolVersion: 4, clean: true, reconnectPeriod: 0, ...load.auth })),
  );
  // Warm-up: each device one message through the whole path (the receiver counts them); for
  // throughput, then `warmup` more as the load sends them, so that the receiver is timed in its
  // steady state (the JIT has compiled its path), as a node that has run for a while is.
  await Promise.all(clients.map((c, i) => c.publishAsync(`meter/${i}/kwh`, 'w', { qos: 1 })));
  if (load.mode.kind === 'throughput') await sendEach(clients, load.mode.warmup, () => 'w');
  say({ ready: true });
  await lines.next();
  const c0 = cpuMs();
  const t0 = performance.now();
  let lastAck = 0;
  const mode = load.mode;
  if (mode.kind === 'throughput') {
    await sendEach(clients, mode.n, String);
    lastAck = performance.now();
  } else {
    const perDevice = (mode.rate / load.devices) * mode.seconds;
    const everyMs = (1000 * load.devices) / mode.rate;
    const sent: Promise<unknown>[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        // Devices start spread over one interval, then keep their own schedule.
        const start = t0 + (everyMs * i) / load.devices;
        for (let k = 0; k < perDevice; k++) {
          const wait = start + k * everyMs - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          sent.push(c.publishAsync(`meter/${i}/kwh`, String(sharedNow()), { qos: 1 }));
        }
      }),
    );
    await Promise.all(sent);
    lastAck = performance.now();
  }
  say({ ackedMs: lastAck - t0, cpuMs: cpuMs() - c0 });
  await Promise.all(clients.map((c) => c.endAsync(true)));
}

/** `n` QoS 1 publishes between the devices, each device waiting for each PUBACK. */
async function sendEach(clients: readonly MqttClient[], n: number, payload: (k: number) => string): Promise<void> {
  await Promise.all(
    clients.map(async (c, i) => {
      for (let k = i; k < n; k += clients.length) await c.publishAsync(`meter/${i}/kwh`, payload(k), { qos: 1 });
    }),
  );
}

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const first = await lines.next();
run(JSON.parse(first.value as string) as DeviceLoad, lines).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
