import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../../protocols/errors/deploy-codes.ts';
import {
  findNatsServer,
  natsServerVersion,
  natsServerVersionAtLeast,
  parseNatsServerVersion,
} from '../../../deploy/nats-server/index.ts';

let dir: string;
let fake: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-find-'));
  fake = join(dir, 'nats-server');
  await writeFile(fake, '#!/bin/sh\necho "nats-server: v9.8.7"\n');
  await chmod(fake, 0o755);
  await writeFile(join(dir, 'not-executable'), '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('findNatsServer', () => {
  it('findNatsServer - an explicit path wins over NATS_SERVER and PATH', async () => {
    expect(await findNatsServer({ path: fake, env: { NATS_SERVER: '/nope', PATH: '/nope' } })).toBe(fake);
  });

  it('findNatsServer - NATS_SERVER wins over PATH', async () => {
    expect(await findNatsServer({ env: { NATS_SERVER: fake, PATH: '/usr/sbin' } })).toBe(fake);
  });

  it('findNatsServer - searches PATH, then /usr/sbin', async () => {
    expect(await findNatsServer({ env: { PATH: dir } })).toBe(fake);
    expect(await findNatsServer({ env: { PATH: '' } })).toBe('/usr/sbin/nats-server');
  });

  it('findNatsServer - a bad explicit path or NATS_SERVER is an error naming it, not a fallback', async () => {
    const bad = join(dir, 'not-executable');
    for (const opts of [{ path: bad, env: {} }, { env: { NATS_SERVER: bad, PATH: '/usr/sbin' } }]) {
      const err = await findNatsServer(opts).catch((e: unknown) => e);
      expect(isCairnError(err, DeployCodes.NATS_SERVER_NOT_FOUND)).toBe(true);
      expect((err as Error).message).toContain(bad);
      expect((err as Error).message).toContain('apt-get install -y nats-server');
    }
  });

  it('findNatsServer - says how to install when nothing is found', async () => {
    const err = await findNatsServer({ env: { PATH: join(dir, 'empty') }, extraDirs: [] }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_NOT_FOUND)).toBe(true);
    expect((err as Error).message).toMatch(/apt-get install -y nats-server.*NATS_SERVER/);
  });
});

describe('natsServerVersion', () => {
  it('natsServerVersion - reads the installed server version', async () => {
    const version = await natsServerVersion(await findNatsServer());
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(natsServerVersionAtLeast(version, '2.9.0')).toBe(true);
    expect(await natsServerVersion(fake)).toBe('9.8.7');
  });

  it('natsServerVersion - a binary that prints no version is a coded error', async () => {
    const err = await natsServerVersion('/bin/true').catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_VERSION_FAILED)).toBe(true);
  });

  it('natsServerVersionAtLeast - compares numerically, ignoring pre-release tags', () => {
    expect(parseNatsServerVersion('nats-server: v2.9.10')).toBe('2.9.10');
    expect(parseNatsServerVersion('nothing')).toBeUndefined();
    expect(natsServerVersionAtLeast('2.9.10', '2.10.0')).toBe(false);
    expect(natsServerVersionAtLeast('2.10.0', '2.10.0')).toBe(true);
    expect(natsServerVersionAtLeast('2.11.0-beta.1', '2.10.4')).toBe(true);
    expect(natsServerVersionAtLeast('3.0.0', '2.99.99')).toBe(true);
  });
});
