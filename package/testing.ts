// `import { … } from 'cairn/testing'`: a real nats-server for tests, on a free loopback port in a
// temporary directory (JetStream on), and the building blocks to configure one.
export { startNatsServer, findNatsServer, locateNatsServer, freePort, freePorts, embeddedConfig } from '../deploy/nats-server/index.ts';
export type { RunningNatsServer, StartNatsServerOptions, NatsServerConfig, FoundNatsServer } from '../deploy/nats-server/index.ts';
export { startTestSite } from './test-site.ts';
export type { TestSite, TestSiteOptions } from './test-site.ts';
