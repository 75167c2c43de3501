// The stdio side of a guest: host-protocol frames on stdin/stdout, console output on stderr.
// Used by pre-bundled guests (kernel/runtimes/guest-bundle.ts), which import the behaviour statically.
import { FrameDecoder, encodeFrame } from '../../protocols/index.ts';
import type { NodeFrame } from '../../protocols/index.ts';
import type { ActorDefinition } from '../actor-definition.ts';
import type { Message } from '../message.ts';
import { serveGuest } from './serve-guest.ts';

export async function runStdioGuest(load: () => Promise<ActorDefinition<Message, unknown>>): Promise<void> {
  const out = process.stdout;
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
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

  const def = await load();
  serveGuest(def, {
    send: (frame) => void out.write(encodeFrame(frame)),
    onFrame: (l) => {
      listeners.push(l);
      for (const f of early.splice(0)) l(f);
    },
    exit: (code) => out.write(new Uint8Array(0), () => process.exit(code)),
  });
}
