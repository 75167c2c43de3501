// The floor of a guest start in bench/restart.ts: the least a worker thread, a node process or a
// container running node can do before it is heard from. Says "up" on the worker port or stdout.
import { isMainThread, parentPort } from 'node:worker_threads';

if (isMainThread) process.stdout.write('up\n');
else parentPort.postMessage('up');
