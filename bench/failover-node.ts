// One node of the failover benchmark, in its own process (so that it can be killed with -9).
// Usage: node --import tsx bench/failover-node.ts <url> <site> <node-id> <actors> [hosted-on]
// Prints `standby <ms>` when it waits as a standby, `leading <ms>` when it holds the site lease and
// `running <ms>` once its <actors> actors have started (wall-clock ms: the driver is another process).
// With [hosted-on], the leader places its actors on that node (worker guests) while it is alive and
// on itself otherwise; it prints `lost <ms>` when the first of them ends with that node's death and
// `moved <ms>` once all of them were restarted.
import { fileURLToPath } from 'node:url';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { RuntimeSpec } from '../kernel/index.ts';
import { Counter } from '../test/helpers/actors.ts';
import { Ledger } from '../test/fixtures/ledger.ts';

const [url, site, node, actorsText, hostedOn] = process.argv.slice(2);
const actors = Number(actorsText);
const say = (what: string): void => void process.stdout.write(`${what} ${Date.now()}\n`);

const system = await createActorSystem({ servers: url!, site: site!, node: node!, onStandby: () => say('standby') });
say('leading');
if (hostedOn === undefined) {
  // What an app controller does on taking over: start the site's actors (here: spawned, all at once).
  await Promise.all(Array.from({ length: actors }, (_, i) => system.spawn(Counter, { id: `c${i}` })));
} else {
  const { directory } = system.node;
  while (!directory.isAlive(hostedOn, Date.now())) await new Promise((r) => setTimeout(r, 50));
  const runtime: RuntimeSpec = { mode: 'worker', module: fileURLToPath(new URL('../test/fixtures/ledger.ts', import.meta.url)), export: 'Ledger' };
  let restarted = 0;
  let lost = false;
  system.onEvent((e) => {
    if (e.type === 'crashed' && !lost) {
      lost = true;
      say('lost');
    }
    if (e.type === 'started' && e.restarts > 0 && ++restarted === actors) say('moved');
  });
  await system.supervise({
    id: 'hosted',
    strategy: 'one_for_one',
    intensity: actors * 2,
    children: Array.from({ length: actors }, (_, i) => ({
      id: `l${i}`,
      actor: Ledger,
      runtime,
      host: async () => (directory.isAlive(hostedOn, Date.now()) ? { node: hostedOn, runtime } : undefined),
    })),
  });
}
say('running');
process.on('SIGTERM', () => void system.shutdown().then(() => process.exit(0)));
