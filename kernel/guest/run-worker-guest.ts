// The worker-thread side of a guest: host-protocol frames over the worker's message port. Used by
// pre-bundled worker guests (kernel/runtimes/guest-bundle.ts), which import the behaviour statically.
import { parentPort } from 'node:worker_threads';
import type { GuestFrame, NodeFrame } from '../../protocols/index.ts';
import type { ActorDefinition } from '../actor-definition.ts';
import type { Message } from '../message.ts';
import { serveGuest } from './serve-guest.ts';

export async function runWorkerGuest(load: () => Promise<ActorDefinition<Message, unknown>>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runWorkerGuest runs in a worker thread started by the worker launcher');
  // Frames that arrive while the module is still loading wait here until the guest listens.
  const early: NodeFrame[] = [];
  const onEarly = (f: NodeFrame): void => void early.push(f);
  port.on('message', onEarly);
  const def = await load();
  serveGuest(def, {
    send: (frame: GuestFrame) => port.postMessage(frame),
    onFrame: (l) => {
      port.off('message', onEarly);
      port.on('message', (f: NodeFrame) => l(f));
      for (const f of early.splice(0)) l(f);
    },
    exit: () => {
      port.close();
      process.exit(0);
    },
  });
}
