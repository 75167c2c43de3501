// `import { … } from 'cairn/internal'`: the folders' full APIs, for Cairn's own tools (benchmarks,
// the CLI) and for those extending Cairn at a low level. Not covered by the public API's stability.
export * as protocols from '../protocols/index.ts';
export * as kernel from '../kernel/index.ts';
export * as runtimes from '../kernel/runtimes/index.ts';
export * as supervision from '../supervisor-trees/index.ts';
export * as controlPlane from '../control-plane/index.ts';
export * as client from '../client/index.ts';
export * as natsServer from '../deploy/nats-server/index.ts';
export * as sites from '../deploy/site/index.ts';
