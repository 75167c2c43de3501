import type { CliClient } from './cli-client.ts';
import { openClient } from './cli-client.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { resolveConnection } from './connection-options.ts';
import type { CliIo } from './cli-io.ts';

/** Resolves the connection, opens a client, runs `fn`, and always closes the client. */
export async function withClient<T>(flags: ConnectionFlags, io: CliIo, fn: (client: CliClient) => Promise<T>): Promise<T> {
  const client = await openClient(await resolveConnection(flags, io.env));
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
