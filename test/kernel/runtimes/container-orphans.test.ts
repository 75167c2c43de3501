import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, cleanupOrphanContainers, containerLabels, listCairnContainers } from '../../../kernel/runtimes/container-launcher.ts';
import { testDocker } from '../../helpers/docker.ts';

let docker: Dockerode;
const site = `ct-orphans-${process.pid}`;

beforeAll(async () => {
  docker = await testDocker();
});
afterAll(async () => {
  for (const c of (await listCairnContainers(docker, { site }).catch(() => [])) ?? []) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
});

/** A running container labelled like a guest of `node`, as a crashed node would leave it behind. */
async function leftover(node: string, actor: string): Promise<string> {
  const c = await docker.createContainer({
    Image: BASE_IMAGE,
    Cmd: ['/usr/bin/sleep', '300'],
    Labels: containerLabels({ site, node, actor }),
    HostConfig: { Binds: ['/usr:/usr:ro', '/lib:/lib:ro', '/lib64:/lib64:ro'], NetworkMode: 'none' },
  });
  await c.start();
  return c.id;
}

describe('container orphans', () => {
  it('container orphans - cleanup removes the containers this node left behind and no others', async () => {
    const mine = [await leftover('n1', 'a'), await leftover('n1', 'b')];
    const theirs = await leftover('n2', 'a');
    const removed = await cleanupOrphanContainers(docker, site, 'n1');
    expect(removed.sort()).toEqual(mine.sort());
    expect((await listCairnContainers(docker, { site })).map((c) => c.Id)).toEqual([theirs]);
    expect(await cleanupOrphanContainers(docker, site, 'n1')).toEqual([]);
    expect(await cleanupOrphanContainers(docker, site, 'n2')).toEqual([theirs]);
    expect(await listCairnContainers(docker, { site })).toEqual([]);
  });
});
