#!/usr/bin/env node
// The `cairn` command: Cairn's built JavaScript (`npm run build`, run by `npm ci`), no compiler.
import { existsSync } from 'node:fs';

const main = new URL('../dist/deploy/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(`error [CAIRN_NOT_BUILT]: ${main.pathname} is missing: run \`npm run build\` in ${new URL('..', import.meta.url).pathname} (npm ci does it)\n`);
  process.exit(1);
}
const { main: run } = await import(main.href);
await run();
