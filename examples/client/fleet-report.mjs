// A fleet report from outside the site: `node examples/client/fleet-report.mjs` (after `npx cairn up`),
// or with CAIRN_SERVER / CAIRN_SITE set to another site's URL and name.
import { CairnClient } from 'cairn/client';

const client = await CairnClient.connect({
  servers: process.env.CAIRN_SERVER ?? 'nats://127.0.0.1:4222',
  site: process.env.CAIRN_SITE ?? 'local',
});
try {
  for (const s of await client.listSites()) {
    console.log(`site ${s.site}: ${s.online ? 'online' : 'offline'}, ${s.live}/${s.nodes} nodes live`);
  }
  const actors = await client.listActors();
  for (const a of actors.results) console.log(`actor ${a.id} on ${a.node}: ${a.status}, ${a.handled} handled`);
  for (const f of actors.failures) console.log(`warning: ${f.message}`);
  for (const app of await client.listApps()) console.log(`app ${app.name}: revision ${app.revision}`);
} finally {
  await client.close();
}
