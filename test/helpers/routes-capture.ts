// Waits until an application's routes capture on a site: its capture stream exists. A hub's
// listener opens a moment before (and restarts the server under the test's client), so each look
// is made afresh.
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export async function untilRoutesCapture(nc: NatsConnection, stream: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await jetstreamManager(nc).then((jsm) => jsm.streams.info(stream)).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`stream ${stream} did not appear within ${timeoutMs} ms: the application never started its routes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
