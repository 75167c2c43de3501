#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx compiles deploy/cli/*.ts on load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../deploy/cli/main.ts');
await main();
