// A fleet report from outside the site: `node examples/client/fleet-report.mjs` in the directory
// where `npx cairn up` runs, or anywhere with CAIRN_SERVER / CAIRN_SITE set to a site's URL and name.
import { CairnClient, findSite } from 'cairn/client';

// The site as the cairn commands find it: CAIRN_SERVER / CAIRN_SITE, else .cairn/cairn-up.json.
const { server, site } = await findSite();
const client = await CairnClient.connect({ servers: server, site });
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
