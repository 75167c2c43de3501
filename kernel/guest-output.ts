import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects, encodeValue } from '../protocols/index.ts';
import type { OutputLine } from '../protocols/index.ts';
import type { GuestLauncher } from './guest-channel.ts';

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
      if (nc.isClosed()) return;
      const message: OutputLine = { v: 1, site: info.site, actor: info.actor, node, guest: channel.describe, line };
      nc.publish(subject, encodeValue(message));
    });
    return channel;
  };
}
