import { CairnError, DeployCodes } from '../../protocols/index.ts';
import type { ControlVerb } from '../../protocols/index.ts';
import type { CliClient } from './cli-client.ts';
import { isStale } from './cli-client.ts';
import type { CliIo } from './cli-io.ts';

/**
 * Asks every live node of the site one control verb. Nodes that do not answer are reported on
 * stderr and left out; it fails only when no node is live or none answers.
 */
export async function queryNodes<T>(client: CliClient, verb: ControlVerb, timeoutMs: number, io: CliIo): Promise<T[]> {
  const { site, server } = client.connection;
  const now = Date.now();
  const live = (await client.nodes()).filter((n) => !isStale(n, now));
  if (live.length === 0) {
    throw new CairnError(DeployCodes.CLI_NO_NODES, `no live node on site "${site}" at ${server}; start one with \`cairn up\`, or pass the right --server / --site (see \`cairn nodes\`)`, { details: { site, server } });
  }
  const settled = await Promise.allSettled(live.map((n) => client.control<T>(n.id, verb, timeoutMs)));
  const replies: T[] = [];
  const failures: unknown[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') replies.push(r.value);
    else failures.push(r.reason);
  }
  if (replies.length === 0) throw failures[0];
  for (const f of failures) io.err(`warning: ${(f as Error).message}`);
  return replies;
}
