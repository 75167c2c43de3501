// The raw process baseline of bench/restart.ts: a fresh `node` that connects to NATS, subscribes to
// the subject in argv[2], says "ready" on <subject>.ready and answers one request, then exits.
import { connect } from '@nats-io/transport-node';

const [url, subject] = process.argv.slice(2);
const nc = await connect({ servers: url });
const sub = nc.subscribe(subject, { max: 1 });
await nc.flush();
nc.publish(`${subject}.ready`);
for await (const m of sub) m.respond('ok');
await nc.drain();
