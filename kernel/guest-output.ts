import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects, encodeValue } from '../protocols/index.ts';
import type { OutputLine } from '../protocols/index.ts';
import type { GuestLauncher } from './guest-channel.ts';

/** The longest line published whole (64 Ki characters): a guest's output must never exceed a server message. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * A launcher whose guests' output lines are published as they are written, each on
 * `Subjects.output(site, actor)` from the node the guest runs on (whether it leads or hosts the
 * guest for the leader): what `cairn logs -f` and `CairnClient.followActorLogs` receive. Core NATS:
 * nothing is stored, and a line nobody follows costs one publish.
 */
export function publishingOutput(launcher: GuestLauncher, nc: NatsConnection, node: string): GuestLauncher {
  return async (spec, info, signal) => {
    const channel = await launcher(spec, info, signal);
    const subject = Subjects.output(info.site, info.actor);
    channel.onOutput?.((line) => {
      if (nc.isClosed() || nc.isDraining()) return;
      const message: OutputLine = { v: 1, site: info.site, actor: info.actor, node, guest: channel.describe, line: line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… (${line.length} characters, cut)` : line };
      try {
        nc.publish(subject, encodeValue(message));
      } catch {
        // A line a follower misses is not worth a node: `cairn logs` still has it.
      }
    });
    return channel;
  };
}
