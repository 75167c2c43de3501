import type { CairnClient } from '../../client/index.ts';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';

/**
 * What `cairn tell` and `cairn ask` do before sending: refuse at once an actor that no live node
 * of the site runs, with the closest running id (a message to an id nobody runs would wait for the
 * orphan timeout and go to the dead letters); warn and send when that cannot be told (the site is
 * offline, a node did not answer). `force`: send without asking (an actor not started yet).
 */
export async function checkTarget(client: CairnClient, actor: string, force: boolean, io: CliIo): Promise<void> {
  if (force) return;
  const check = await client.checkActor(actor);
  if (check.kind === 'running') return;
  if (check.kind === 'unknown') {
    io.err(`warning: cannot check that actor "${actor}" runs: ${check.why}; sending anyway`);
    return;
  }
  const hint = check.suggestion ? `; did you mean "${check.suggestion}"?` : '';
  throw new CairnError(
    DeployCodes.CLI_ACTOR_NOT_RUNNING,
    `no live node of site "${client.site}" runs actor "${actor}"${hint} (\`cairn ps\` lists them; --force sends anyway: the message waits for the actor up to the orphan timeout, then goes to the dead letters)`,
    { details: { actor, site: client.site, ...(check.suggestion ? { suggestion: check.suggestion } : {}) } },
  );
}
