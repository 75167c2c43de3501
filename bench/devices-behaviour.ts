// The actor bench/devices.ts routes device messages to: counts them, and for the latency variants
// records how long each took from its publish (the payload is the publisher's sharedNow(): the
// devices run in a process of their own, bench/devices-load.ts).
import { sharedNow } from './shared-clock.ts';
import { defineActor } from '../kernel/index.ts';
import type { RoutedMessage } from '../protocols/index.ts';

/** What the benchmark reads: shared through globalThis, so it does not depend on module identity. */
export interface DeviceSink {
  count: number;
  target: number;
  latencies: number[];
  done: () => void;
}

export const sink = (): DeviceSink => {
  const g = globalThis as { __cairnDeviceSink?: DeviceSink };
  g.__cairnDeviceSink ??= { count: 0, target: Number.POSITIVE_INFINITY, latencies: [], done: () => undefined };
  return g.__cairnDeviceSink;
};

/** One device message, counted (and timed when its payload is a timestamp). */
export function received(payload: Uint8Array | Buffer): void {
  const s = sink();
  const sent = Number(new TextDecoder().decode(payload));
  if (Number.isFinite(sent) && sent > 0) s.latencies.push(sharedNow() - sent);
  s.count += 1;
  if (s.count === s.target) s.done();
}

export default defineActor<RoutedMessage>({
  name: 'device-sink',
  receive: (msg) => {
    received(msg.data);
    return undefined;
  },
});
