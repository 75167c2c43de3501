// The device-traffic and bridge sections of bench/RESULTS.md, from bench/devices.ts's results. Pure.
import type { LatencySummary } from './stats.ts';
import type { Run, Section } from './run.ts';
import { fmtInt, fmtMs, fmtRatio, fmtUs, median } from './stats.ts';

/** A difference of CPU per message as words: `12.0 µs more`, `4.0 µs less`. */
const moreOrLess = (us: number): string => `${fmtUs(Math.abs(us))} ${us < 0 ? 'less' : 'more'}`;

/** Goals of issue 13: hub throughput ≥ 0.8× raw nats-server MQTT QoS 1; p99 at 1,000 msg/s ≤ 2× raw. */
export const DEVICE_THROUGHPUT_GOAL = 0.8;
export const DEVICE_P99_GOAL = 2;

const rate = (runs: readonly Run[]): number => median(runs.map((r) => r.result.msgsPerSec as number));
const perMsgUs = (runs: readonly Run[], k: 'clientCpuMs' | 'devicesCpuMs' | 'serverCpuMs'): number => median(runs.map((r) => ((r.result[k] as number) * 1000) / (r.result.n as number)));
const passes = (runs: readonly Run[]): string => runs.map((r) => fmtInt(r.result.msgsPerSec as number)).join(' / ');
const lat = (runs: readonly Run[]): LatencySummary => {
  const pick = (k: keyof LatencySummary): number => median(runs.map((r) => (r.result.latency as LatencySummary)[k]));
  return { n: pick('n'), p50: pick('p50'), p90: pick('p90'), p99: pick('p99'), max: pick('max'), mean: pick('mean') };
};

export function devicesSection(all: ReadonlyMap<string, Run[]>): Section {
  const rows: string[][] = [];
  const goals: Section['goals'] = [];
  const notes: string[] = [];
  for (const [v, runs] of all) {
    if (v.endsWith('-lat')) continue;
    const d = v.slice(v.lastIndexOf('-') + 1);
    const raw = all.get(`raw-${d}`);
    const ratio = raw ? rate(runs) / rate(raw) : Number.NaN;
    rows.push([`\`${v}\``, d, fmtInt(rate(runs)), passes(runs), raw ? fmtRatio(ratio) : '—', fmtUs(perMsgUs(runs, 'devicesCpuMs')), fmtUs(perMsgUs(runs, 'clientCpuMs')), fmtUs(perMsgUs(runs, 'serverCpuMs'))]);
    if (v.startsWith('cairn-') && raw) goals.push({ met: ratio >= DEVICE_THROUGHPUT_GOAL, text: `\`${v}\`: ${fmtRatio(ratio)} of raw nats-server MQTT QoS 1 throughput with ${d} devices (goal ≥ ${DEVICE_THROUGHPUT_GOAL}×)` });
  }
  for (const d of ['10', '100']) {
    const c = all.get(`cairn-${d}`);
    const r = all.get(`raw-${d}`);
    if (!c || !r) continue;
    const floors = (['store', 'store-ackall'] as const).flatMap((k) => {
      const f = all.get(`${k}-${d}`);
      return f ? [{ k, f }] : [];
    });
    const cpu = (runs: readonly Run[]): number => perMsgUs(runs, 'devicesCpuMs') + perMsgUs(runs, 'clientCpuMs') + perMsgUs(runs, 'serverCpuMs');
    notes.push(
      [
        `What limits \`cairn-${d}\`: per message its receiver (the node) costs ${moreOrLess(perMsgUs(c, 'clientCpuMs') - perMsgUs(r, 'clientCpuMs'))} CPU than raw's, and nats-server ${moreOrLess(perMsgUs(c, 'serverCpuMs') - perMsgUs(r, 'serverCpuMs'))}; devices, receiver and server share the 2 cores, so the CPU of all three (${fmtUs(cpu(c))} against raw's ${fmtUs(cpu(r))}) is the throughput.`,
        'The raw path stores each publish once (a plain stream) and reads it unacked (an ordered consumer): it keeps nothing for a reader that fails.',
        'A route reads each QoS 1 publish from the MQTT store and acks it once handled (acked publishes leave: interest retention): one store and one read per message, and the removal an ack brings, where raw has neither ack nor removal.',
        ...floors.map(({ k, f }) => `\`${k}-${d}\` (a bare reader of the store, ${k === 'store' ? 'one ack per message' : 'one ack per 64'}) reaches ${fmtRatio(rate(f) / rate(r))} of raw at ${fmtUs(cpu(f))} per message; \`cairn-${d}\` is ${fmtRatio(rate(c) / rate(f))} of it.`),
      ].join(' '),
    );
  }
  const latRows: string[][] = [];
  const rawLat = all.get('raw-lat');
  for (const [v, runs] of all) {
    if (!v.endsWith('-lat')) continue;
    const l = lat(runs);
    latRows.push([`\`${v}\``, fmtInt(l.n), fmtMs(l.p50), fmtMs(l.p90), fmtMs(l.p99), fmtMs(l.max), rawLat ? fmtRatio(l.p99 / lat(rawLat).p99) : '—', fmtUs(perMsgUs(runs, 'devicesCpuMs')), fmtUs(perMsgUs(runs, 'clientCpuMs')), fmtUs(perMsgUs(runs, 'serverCpuMs'))]);
    if (v === 'cairn-lat' && rawLat) goals.push({ met: l.p99 <= DEVICE_P99_GOAL * lat(rawLat).p99, text: `\`cairn-lat\`: p99 ${fmtMs(l.p99)} at 1,000 msg/s = ${fmtRatio(l.p99 / lat(rawLat).p99)} of raw's ${fmtMs(lat(rawLat).p99)} (goal ≤ ${DEVICE_P99_GOAL}×)` });
  }
  if (latRows.length > 0) {
    notes.push(['Latency at 1,000 msg/s (10 devices at 100 msg/s each, QoS 1 without waiting for each PUBACK; publish → arrival at the actor, the raw stream consumer or the mosquitto subscriber, read on one clock by both processes; the first second is warm-up and not counted; medians over the passes):', '', `| variant | samples | p50 | p90 | p99 | max | p99 ratio to raw | devices CPU / msg | receiver CPU / msg | server CPU / msg |`, '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...latRows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
  }
  return {
    title: 'Device traffic through the hub',
    intro: [
      'MQTT devices (mqtt.js connections, MQTT 3.1.1, QoS 1) send N = 10,000 messages between them, each device waiting for every PUBACK before its next publish (one QoS 1 connection waits for each store, hence 10 and 100 connections side by side); timed from the first publish until all N arrived (bench/devices.ts), after 5,000 sent the same way and arrived untimed (steady state: the code of each receiver compiled by the JIT, as in a node that has run for a while). The devices run in a process of their own (bench/devices-load.ts), as they would not share the receiver\'s: the receiver (a bare reader, or Cairn\'s node) runs in the benchmark\'s process. Each child starts its own servers.',
      '`raw-D`, the floor: nats-server 2.15.2 with the MQTT listener and device login a hub renders (deploy/nats-server/device-access-config.ts), a plain stream on `meter.>` (limits retention), and a nats.js ordered consumer reading it (no acks: nothing is removed); arrival = read from the stream.',
      "`store-D`, the floor of a durable route: the same server, and a durable consumer on the server's own MQTT store (`$MQTT_msgs`, interest retention, as a route reads it) that acks each message on arrival: the least a reader does that keeps every PUBACKed publish until it was handled. `store-ackall-D`: the same with the consumer's ack policy `all`, the reader acking the last of every 64 messages (or of what came in 2 ms): one ack for many, as a route's consumer does when one actor instance takes all of an app's routes (as here), which finishes them in order.",
      "`cairn-D`: the same server; an application whose route takes `meter/#` to an inline actor (the site leader reads each QoS 1 publish from the server's MQTT store, \`$MQTT_msgs\`, through the app's consumer and hands it straight to the actor's cell, acking what was handled together (ack policy `all`: the route has one actor); the route's capture stream leaves the MQTT topic out, and QoS 0 publishes, none here, would come through the leader's core subscription); arrival = handled.",
      '`mosquitto-D`: Debian\'s mosquitto 2.0.11 on this machine, one QoS 1 subscriber; arrival = received by it.',
      'msgs/s is the median of the passes (each a fresh process); CPU per message, medians: the devices\' process, the receiver\'s (this process: for Cairn its node, for mosquitto its subscriber) and the server (nats-server or mosquitto).',
    ].join(' '),
    header: ['variant', 'devices', 'msgs/s (median)', 'per pass', 'ratio to raw', 'devices CPU / msg', 'receiver CPU / msg', 'server CPU / msg'],
    rows,
    goals,
    notes,
  };
}

export function bridgeSection(all: ReadonlyMap<string, Run[]>): Section {
  const mosq = all.get('bridge-mosquitto');
  const rows = [...all].map(([v, runs]) => [`\`${v}\``, fmtInt(rate(runs)), passes(runs), mosq ? fmtRatio(rate(runs) / rate(mosq)) : '—', fmtMs(median(runs.map((r) => r.result.publishedMs as number))), fmtUs(perMsgUs(runs, 'clientCpuMs')), fmtUs(perMsgUs(runs, 'serverCpuMs'))]);
  return {
    title: 'Bridge to a remote broker',
    intro: [
      'N = 10,000 messages cross a bridge to a remote mosquitto (Debian 2.0.11 on this machine), where one QoS 1 subscriber receives them under `factory/`; timed from the first publish until the subscriber has all N (bench/devices.ts). Publishers keep 500 unacknowledged.',
      '`bridge-cairn`: JetStream publishes on the site (nats-server 2.15.2) into the bridge\'s outbound buffer stream; the `cairn/bridge` actor sends them to the remote broker at QoS 1 (MQTT 5) and acks each buffered message on its PUBACK.',
      "`bridge-mosquitto`, the reference: mqtt.js QoS 1 publishes to a local mosquitto whose own bridge (`connection … topic alerts/# out 1 \"\" factory/`, MQTT 5, clean session off) forwards them to the remote one; mosquitto keeps its queue in memory (persisted on exit), the Cairn bridge in a file-stored stream.",
      'Server CPU: the site nats-server and the remote mosquitto (Cairn), both mosquittos (reference). Medians of the passes.',
    ].join(' '),
    header: ['variant', 'msgs/s (median)', 'per pass', 'ratio to mosquitto bridge', 'all published after', 'client CPU / msg', 'server CPU / msg'],
    rows,
    goals: [],
    notes: [],
  };
}
