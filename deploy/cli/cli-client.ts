import { pino } from 'pino';
import { Kvm } from '@nats-io/kv';
import { ActorNode, DeadLetterAdmin, readNodeRegistry } from '../../kernel/index.ts';
import { Buckets, CairnError, DeployCodes, Subjects, decodeValue, encodeValue, isNodeAlive } from '../../protocols/index.ts';
import type { ControlVerb, NodeRecord } from '../../protocols/index.ts';
import type { Connection } from './connection-options.ts';

/**
 * A light client of a running site: an ActorNode that is connected but never started, so it
 * hosts nothing, registers nowhere and only sends (tell, ask), reads the node registry and asks
 * nodes over the control subjects.
 */
export interface CliClient {
  readonly connection: Connection;
  readonly node: ActorNode;
  /** Registered nodes of the site (live or stale), sorted by id. */
  nodes(): Promise<NodeRecord[]>;
  /** Sends a control request to one node (of this site unless `nodeSite` is given) and decodes its MessagePack reply. */
  control<T>(node: string, verb: ControlVerb, timeoutMs: number, nodeSite?: string, body?: unknown): Promise<T>;
  deadLetters(): DeadLetterAdmin;
  close(): Promise<void>;
}

/** A node missed too many heartbeats: the one rule of protocols/node-liveness.ts. */
export function isStale(record: NodeRecord, now: number): boolean {
  return !isNodeAlive(record, now);
}

export async function openClient(connection: Connection): Promise<CliClient> {
  const node = await ActorNode.connect({
    servers: connection.server,
    site: connection.site,
    node: `cli-${process.pid}`,
    // Warnings go to stderr so that stdout stays parseable (--json).
    logger: pino({ level: process.env['CAIRN_LOG_LEVEL'] ?? 'warn' }, pino.destination(2)),
  });
  const { site } = connection;
  return {
    connection,
    node,
    async nodes() {
      const bucket = Buckets.nodes(site);
      const records = await readNodeRegistry(node.jsm, site, Date.now());
      if (records.length === 0) {
        const kv = await new Kvm(node.js).open(bucket);
        try {
          await kv.status();
        } catch (cause) {
          throw new CairnError(DeployCodes.CLI_NO_NODES, `no node has ever registered on site "${site}" at ${connection.server} (bucket ${bucket} is missing); start one with \`cairn up\`, or pass the right --server / --site`, { cause, details: { site, server: connection.server } });
        }
      }
      return records;
    },
    async control<T>(nodeId: string, verb: ControlVerb, timeoutMs: number, nodeSite = site, body?: unknown): Promise<T> {
      try {
        const payload = body === undefined ? new Uint8Array(0) : encodeValue(body);
        const reply = await node.nc.request(Subjects.control(nodeSite, nodeId, verb), payload, { timeout: timeoutMs });
        return decodeValue(reply.data) as T;
      } catch (cause) {
        throw new CairnError(
          DeployCodes.CLI_NODE_UNREACHABLE,
          `node "${nodeId}" of site "${site}" did not answer "${verb}" within ${timeoutMs} ms (${(cause as Error).message}); check it with \`cairn nodes\`, or raise --timeout`,
          { cause, details: { node: nodeId, verb, timeoutMs } },
        );
      }
    },
    deadLetters: () => new DeadLetterAdmin(node.js, node.jsm, site),
    close: () => node.stop(),
  };
}
