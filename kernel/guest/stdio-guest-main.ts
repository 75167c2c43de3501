// Entry point of a JavaScript actor guest on stdin/stdout (process and container modes):
//   node --import tsx kernel/guest/stdio-guest-main.ts <module> [export]
// stdout carries host-protocol frames only, so console output is moved to stderr.
import { FrameDecoder, encodeFrame } from '../../protocols/index.ts';
import type { NodeFrame } from '../../protocols/index.ts';
import { loadDefinition, serveGuest } from './serve-guest.ts';

const [modulePath, exportName] = process.argv.slice(2);
const out = process.stdout;
console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);

if (!modulePath) {
  console.error('usage: stdio-guest-main.ts <module> [export]');
  process.exit(2);
}

const listeners: ((f: NodeFrame) => void)[] = [];
// Frames that arrive while the module is still loading wait here until the guest listens.
const early: NodeFrame[] = [];
const decoder = new FrameDecoder();
process.stdin.on('data', (chunk: Buffer) => {
  for (const frame of decoder.push(chunk)) {
    if (listeners.length === 0) early.push(frame as NodeFrame);
    else for (const l of listeners) l(frame as NodeFrame);
  }
});
// The node closing our stdin means it is gone: do not outlive it.
process.stdin.on('end', () => process.exit(0));

const def = await loadDefinition(modulePath, exportName);
serveGuest(def, {
  send: (frame) => void out.write(encodeFrame(frame)),
  onFrame: (l) => {
    listeners.push(l);
    for (const f of early.splice(0)) l(f);
  },
  exit: (code) => out.write(new Uint8Array(0), () => process.exit(code)),
});
