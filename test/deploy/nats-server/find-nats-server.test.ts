import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../../protocols/errors/deploy-codes.ts';
import { KernelCodes } from '../../../protocols/errors/kernel-codes.ts';
import { MIN_NATS_SERVER_VERSION, parseVersion, versionAtLeast } from '../../../protocols/index.ts';
import { findNatsServer, goBinDirs, locateNatsServer, natsServerSearchDirs, natsServerVersion } from '../../../deploy/nats-server/index.ts';

let dir: string;
/** Directories each holding a fake `nats-server` that prints the version in the name. */
const fakes: Record<string, string> = {};
async function fakeServer(version: string): Promise<string> {
  const d = join(dir, `v${version}`);
  await mkdir(d, { recursive: true });
  const bin = join(d, 'nats-server');
  await writeFile(bin, `#!/bin/sh\necho "nats-server: v${version}"\n`);
  await chmod(bin, 0o755);
  fakes[version] = d;
  return bin;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-find-'));
  await fakeServer('9.8.7');
  await fakeServer('2.9.10');
  await fakeServer('2.15.2');
  await writeFile(join(dir, 'not-executable'), '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const bin = (version: string): string => join(fakes[version]!, 'nats-server');

describe('findNatsServer', () => {
  it('findNatsServer - an explicit path wins over NATS_SERVER and PATH', async () => {
    expect(await findNatsServer({ path: bin('9.8.7'), env: { NATS_SERVER: '/nope', PATH: '/nope' } })).toBe(bin('9.8.7'));
  });

  it('findNatsServer - NATS_SERVER wins over PATH', async () => {
    expect(await findNatsServer({ env: { NATS_SERVER: bin('9.8.7'), PATH: fakes['2.15.2'] } })).toBe(bin('9.8.7'));
  });

  it('findNatsServer - searches PATH, then the Go bin folder, then /usr/sbin and the like', async () => {
    expect(await findNatsServer({ env: { PATH: fakes['2.15.2'] } })).toBe(bin('2.15.2'));
    expect(await findNatsServer({ env: { PATH: '', GOBIN: fakes['9.8.7'] }, extraDirs: [fakes['2.15.2']!] })).toBe(bin('9.8.7'));
    expect(await findNatsServer({ env: { PATH: '' }, extraDirs: [fakes['2.15.2']!] })).toBe(bin('2.15.2'));
    expect(natsServerSearchDirs({ PATH: '/a:/b', GOPATH: '/g', HOME: '/h' }, ['/usr/sbin', '/a'])).toEqual(['/a', '/b', '/g/bin', '/h/go/bin', '/usr/sbin']);
  });

  it('findNatsServer - passes over a server older than the minimum for a newer one further on', async () => {
    // An old distribution package on PATH must not shadow the pinned build in the Go bin folder.
    const found = await locateNatsServer({ env: { PATH: fakes['2.9.10'], GOBIN: fakes['2.15.2'] }, extraDirs: [] });
    expect(found).toEqual({ path: bin('2.15.2'), version: '2.15.2' });
  });

  it('findNatsServer - only servers older than the minimum: a coded error naming each version, the minimum and the install command', async () => {
    const err = await findNatsServer({ env: { PATH: fakes['2.9.10'] }, extraDirs: [] }).catch((e: unknown) => e);
    expect(isCairnError(err, KernelCodes.NATS_SERVER_TOO_OLD)).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('2.9.10');
    expect(message).toContain(bin('2.9.10'));
    expect(message).toContain(MIN_NATS_SERVER_VERSION);
    expect(message).toContain('npx cairn server install');
  });

  it('findNatsServer - an explicit server that is too old is refused, not passed over', async () => {
    for (const opts of [{ path: bin('2.9.10'), env: { PATH: fakes['2.15.2'] } }, { env: { NATS_SERVER: bin('2.9.10'), PATH: fakes['2.15.2'] } }]) {
      const err = await findNatsServer(opts).catch((e: unknown) => e);
      expect(isCairnError(err, KernelCodes.NATS_SERVER_TOO_OLD)).toBe(true);
      expect((err as Error).message).toContain('2.9.10');
    }
  });

  it('findNatsServer - a bad explicit path or NATS_SERVER is an error naming it, not a fallback', async () => {
    const bad = join(dir, 'not-executable');
    for (const opts of [{ path: bad, env: {} }, { env: { NATS_SERVER: bad, PATH: fakes['2.15.2'] } }]) {
      const err = await findNatsServer(opts).catch((e: unknown) => e);
      expect(isCairnError(err, DeployCodes.NATS_SERVER_NOT_FOUND)).toBe(true);
      expect((err as Error).message).toContain(bad);
      expect((err as Error).message).toContain('npx cairn server install');
    }
  });

  it('findNatsServer - says how to install when nothing is found', async () => {
    const err = await findNatsServer({ env: { PATH: join(dir, 'empty') }, extraDirs: [] }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_NOT_FOUND)).toBe(true);
    expect((err as Error).message).toMatch(/npx cairn server install.*releases.*NATS_SERVER/);
  });

  it('goBinDirs - GOBIN, then bin under each GOPATH entry, then ~/go/bin', () => {
    expect(goBinDirs({ GOBIN: '/gb', GOPATH: '/p1:/p2', HOME: '/home/u' })).toEqual(['/gb', '/p1/bin', '/p2/bin', '/home/u/go/bin']);
    expect(goBinDirs({ HOME: '/root' })).toEqual(['/root/go/bin']);
    expect(goBinDirs({})).toEqual([]);
  });
});

describe('natsServerVersion', () => {
  it('natsServerVersion - the server the tests run on meets the minimum', async () => {
    const version = await natsServerVersion(await findNatsServer());
    expect(versionAtLeast(version, MIN_NATS_SERVER_VERSION)).toBe(true);
    expect(await natsServerVersion(bin('9.8.7'))).toBe('9.8.7');
  });

  it('natsServerVersion - a binary that prints no version is a coded error', async () => {
    const err = await natsServerVersion('/bin/true').catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_VERSION_FAILED)).toBe(true);
  });

  it('versionAtLeast - compares numerically; a pre-release counts as its release', () => {
    expect(parseVersion('nats-server: v2.9.10')).toBe('2.9.10');
    expect(parseVersion('v0.5.0')).toBe('0.5.0');
    expect(parseVersion('nothing')).toBeUndefined();
    expect(versionAtLeast('2.9.10', '2.10.0')).toBe(false);
    expect(versionAtLeast('2.10.0', '2.10.0')).toBe(true);
    expect(versionAtLeast('2.15.0-RC.1', '2.15.0')).toBe(true);
    expect(versionAtLeast('2.11.0-beta.1', '2.10.4')).toBe(true);
    expect(versionAtLeast('3.0.0', '2.99.99')).toBe(true);
  });
});
