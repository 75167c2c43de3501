import { afterAll, beforeAll } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { startTestServer } from './nats.ts';
import type { TestServer, TestServerOptions } from './nats.ts';

/**
 * One nats-server and one client connection for a whole test file: started before its tests
 * (`use` receives them), closed and removed after them.
 */
export function serverForFile(use: (server: TestServer, nc: NatsConnection) => void, opts?: TestServerOptions): void {
  let server: TestServer | undefined;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    server = await startTestServer(opts);
    nc = await connect({ servers: server.url });
    use(server, nc);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.cleanup();
  });
}
