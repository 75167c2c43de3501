import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { NodeRecord } from '../protocols/index.ts';
import type { GuestLauncher } from './guest-channel.ts';
import type { NodeControlAnswers } from './node-control.ts';
import { serveNodeControl } from './node-control.ts';
import { NodeDirectory } from './node-directory.ts';
import { NodeHeartbeat } from './node-heartbeat.ts';
import { NodeHostService } from './node-host/index.ts';
import type { RuntimeMode } from './runtime-spec.ts';

export interface SiteMembershipOptions {
  readonly nc: NatsConnection;
  readonly nodesKv: KV;
  readonly site: string;
  readonly node: string;
  readonly heartbeatMs: number;
  /** The node's registry record as of now. */
  record(): NodeRecord;
  /** This node's launcher of a mode, for guests the leader places here. */
  launcherFor(mode: RuntimeMode): GuestLauncher | undefined;
  readonly control: NodeControlAnswers;
  readonly log: Logger;
}

/**
 * What every node of a site does, leader or standby, from the moment it joins: host guests the
 * leader places on it, answer control requests, beat in the node registry, and follow the
 * registry (the directory placement reads). Until `signal` aborts; `leave` takes it off the registry.
 */
export class SiteMembership {
  readonly hostService: NodeHostService;
  private readonly heartbeat: NodeHeartbeat;
  private directory_: NodeDirectory | undefined;

  constructor(private readonly o: SiteMembershipOptions) {
    this.hostService = new NodeHostService({ nc: o.nc, site: o.site, node: o.node, launcherFor: o.launcherFor, log: o.log });
    this.heartbeat = new NodeHeartbeat(o.nodesKv, o.record, o.heartbeatMs, o.log);
  }

  /** The site's nodes as the registry says now; undefined until joined. */
  get directory(): NodeDirectory | undefined {
    return this.directory_;
  }

  async join(signal: AbortSignal): Promise<void> {
    // Served before the node registers, so that placement never picks a node that cannot host yet.
    this.hostService.start(signal);
    serveNodeControl(this.o.nc, this.o.site, this.o.node, this.o.control);
    await this.o.nc.flush();
    await this.heartbeat.start(signal);
    this.directory_ = await NodeDirectory.open(this.o.nodesKv, signal, this.o.log);
  }

  /** Writes the registry record now (after a role change). */
  beat(): Promise<void> {
    return this.heartbeat.beat();
  }

  /** Stops hosting and takes the node off the registry (standbys need not wait for it to look dead). */
  async leave(): Promise<void> {
    await this.hostService.stop();
    await this.heartbeat.leave(this.o.node);
  }
}
