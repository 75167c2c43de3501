import { CairnClient } from '../../client/index.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { resolveConnection } from './connection-options.ts';
import type { CliIo } from './cli-io.ts';

/** What a command adds to the connection flags: the cloud's domain (app commands), how long to wait for each node (ps, tree, logs). */
export interface ClientFlags extends ConnectionFlags {
  readonly cloudDomain?: string;
}

/** Resolves the connection, connects a CairnClient, runs `fn`, and always closes the client. */
export async function withClient<T>(flags: ClientFlags, io: CliIo, fn: (client: CairnClient) => Promise<T>, opts: { readonly replyTimeoutMs?: number } = {}): Promise<T> {
  const connection = await resolveConnection(flags, io.env);
  const client = await CairnClient.connect({
    servers: connection.server,
    // No site given anywhere: the client asks the server which site it is.
    ...(connection.siteSource === 'default' ? {} : { site: connection.site }),
    name: `cli-${process.pid}`,
    ...(flags.cloudDomain === undefined ? {} : { cloudDomain: flags.cloudDomain }),
    ...(opts.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: opts.replyTimeoutMs }),
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
