import type { NodeQuery } from '../../client/index.ts';
import type { CliIo } from './cli-io.ts';
import { formatDuration } from './format-duration.ts';

/** Says on stderr what a fleet-wide answer left out: offline sites (with when last seen) and nodes that did not answer. */
export function reportPartial(q: NodeQuery<unknown>, io: CliIo, now: number): void {
  for (const s of q.offline) io.err(`site ${s.site} is offline: last seen ${formatDuration(now - s.lastSeen)} ago (its actors are not listed)`);
  for (const f of q.failures) io.err(`warning: ${f.message}`);
}
