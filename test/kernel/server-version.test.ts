import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { isCairnError, KernelCodes, MIN_NATS_SERVER_VERSION } from '../../protocols/index.ts';
import { startOldNatsServer } from '../helpers/old-nats-server.ts';

describe('server version', () => {
  let old: Awaited<ReturnType<typeof startOldNatsServer>>;
  beforeAll(async () => {
    old = await startOldNatsServer();
  });
  afterAll(() => old.stop());

  it('createActorSystem - a server older than the minimum is refused at connect, naming both versions and the install command', async () => {
    const err = await createActorSystem({ servers: old.url, site: 'old' }).catch((e: unknown) => e);
    expect(isCairnError(err, KernelCodes.NATS_SERVER_TOO_OLD)).toBe(true);
    expect((err as Error).message).toContain(`nats-server 2.9.10 (the server at ${old.url}) is older than ${MIN_NATS_SERVER_VERSION}`);
    expect((err as Error).message).toContain('npx cairn server install');
  });
});
