// Entry point of a JavaScript actor guest in a worker thread: workerData = { module, export }.
import { parentPort, workerData } from 'node:worker_threads';
import type { GuestFrame, NodeFrame } from '../../protocols/index.ts';
import { loadDefinition, serveGuest } from './serve-guest.ts';

const port = parentPort!;
const { module: modulePath, export: exportName } = workerData as { module: string; export?: string };
const def = await loadDefinition(modulePath, exportName);
serveGuest(def, {
  send: (frame: GuestFrame) => port.postMessage(frame),
  onFrame: (l) => port.on('message', (f: NodeFrame) => l(f)),
  exit: () => {
    port.close();
    process.exit(0);
  },
});
