/**
 * Drains a node, then stops its nats-server. The drain is bounded: when the server is already
 * gone (a terminal's Ctrl-C reaches it too, or it crashed) the node would wait for a reconnect
 * that never comes. Resolves whether the drain finished in time.
 */
export async function drainThenStop(drain: () => Promise<void>, server: { stop(): Promise<void> }, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    drain().then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  await server.stop();
  return drained;
}
