// One node of the failover benchmark, in its own process (so that it can be killed with -9).
// Usage: node --import tsx bench/failover-node.ts <url> <site> <node-id> <actors>
// Prints `standby <ms>` when it waits as a standby, `leading <ms>` when it holds the site lease and
// `running <ms>` once its <actors> actors have started (wall-clock ms: the driver is another process).
import { createActorSystem } from '../supervisor-trees/index.ts';
import { Counter } from '../test/helpers/actors.ts';

const [url, site, node, actorsText] = process.argv.slice(2);
const actors = Number(actorsText);
const say = (what: string): void => void process.stdout.write(`${what} ${Date.now()}\n`);

const system = await createActorSystem({ servers: url!, site: site!, node: node!, onStandby: () => say('standby') });
say('leading');
// What an app controller does on taking over: start the site's actors (here: spawned, all at once).
await Promise.all(Array.from({ length: actors }, (_, i) => system.spawn(Counter, { id: `c${i}` })));
say('running');
process.on('SIGTERM', () => void system.shutdown().then(() => process.exit(0)));
