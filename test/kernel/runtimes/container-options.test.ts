import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { KernelCodes, encodeFrame } from '../../../protocols/index.ts';
import { BASE_IMAGE, REPO_DIR, containerCreateOptions, exitFromState, jsContainerSpec, labelFilter, usageFromStats } from '../../../kernel/runtimes/container-launcher.ts';
import { demuxDockerStream } from '../../../kernel/runtimes/container-logs.ts';
import { splitTag } from '../../../kernel/runtimes/container-base-image.ts';

const info = { site: 's1', node: 'n1', actor: 'a1' };

describe('container options', () => {
  it('container options - a spec maps to attached stdin, labels, env, binds, host network and limits', () => {
    const opts = containerCreateOptions(
      { mode: 'container', image: 'img:1', cmd: ['run'], env: { X: '1' }, binds: ['/data:/data:ro'], limits: { cpus: 1.5, memoryMb: 64, pids: 32 } },
      info,
    );
    expect(opts).toMatchObject({
      Image: 'img:1',
      Cmd: ['run'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Labels: { 'cairn.site': 's1', 'cairn.node': 'n1', 'cairn.actor': 'a1', 'cairn.managed': 'true' },
      HostConfig: { NetworkMode: 'host', Binds: ['/data:/data:ro'], NanoCpus: 1_500_000_000, Memory: 64 * 1024 * 1024, MemorySwap: 64 * 1024 * 1024, PidsLimit: 32 },
    });
    expect(opts.Env?.sort()).toEqual(['CAIRN_ACTOR=a1', 'CAIRN_NODE=n1', 'CAIRN_SITE=s1', 'X=1']);
  });

  it('container options - no limits means no cgroup settings, and the network can be chosen', () => {
    const { HostConfig } = containerCreateOptions({ mode: 'container', image: 'img', network: 'bridge' }, info);
    expect(HostConfig).not.toHaveProperty('Memory');
    expect(HostConfig).not.toHaveProperty('NanoCpus');
    expect(HostConfig).not.toHaveProperty('PidsLimit');
    expect(HostConfig?.NetworkMode).toBe('bridge');
  });

  it("container options - an entry point and a working directory replace the image's; without them the image's stay", () => {
    const opts = containerCreateOptions({ mode: 'container', image: 'py:1', entrypoint: ['/usr/bin/python3', 'main.py'], workdir: '/srv/py' }, info);
    expect(opts).toMatchObject({ Entrypoint: ['/usr/bin/python3', 'main.py'], WorkingDir: '/srv/py' });
    expect(opts.Cmd).toBeUndefined();
    const plain = containerCreateOptions({ mode: 'container', image: 'py:1' }, info);
    expect(plain.Entrypoint).toBeUndefined();
    expect(plain.WorkingDir).toBeUndefined();
  });

  it('container options - the identity env cannot be overridden by the spec', () => {
    const { Env } = containerCreateOptions({ mode: 'container', image: 'img', env: { CAIRN_ACTOR: 'spoofed' } }, info);
    expect(Env).toContain('CAIRN_ACTOR=a1');
    expect(Env).not.toContain('CAIRN_ACTOR=spoofed');
  });

  it('container options - labelFilter narrows by site, node and actor', () => {
    expect(labelFilter({ site: 's1' })).toEqual({ label: ['cairn.managed=true', 'cairn.site=s1'] });
    expect(labelFilter({ site: 's1', node: 'n1', actor: 'a' }).label).toEqual(['cairn.managed=true', 'cairn.site=s1', 'cairn.node=n1', 'cairn.actor=a']);
  });

  it('container options - jsContainerSpec runs the pre-bundled guest with node alone in the base image, host dirs read-only', () => {
    const spec = jsContainerSpec('test/helpers/actors.ts', 'Counter', { env: { A: 'b' }, binds: ['/data:/data'], limits: { memoryMb: 96 } });
    expect(spec.image).toBe(BASE_IMAGE);
    expect(spec.cmd).toHaveLength(2);
    expect(spec.cmd?.[1]).toMatch(new RegExp(`^${REPO_DIR}/node_modules/\\.cache/cairn-guests/[0-9a-f]{16}\\.mjs$`));
    expect(spec.binds).toEqual(expect.arrayContaining(['/usr:/usr:ro', `${REPO_DIR}:${REPO_DIR}:ro`, '/data:/data']));
    // The module sits inside the repo: no separate mount for it.
    expect(spec.binds?.filter((b) => b.includes('test/helpers'))).toEqual([]);
    expect(spec.env).toMatchObject({ A: 'b' });
    expect(spec.limits).toEqual({ memoryMb: 96 });
  });

  it('container options - a module outside the repo gets its folder mounted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-outside-'));
    writeFileSync(join(dir, 'thing.ts'), `export { Counter as Thing } from ${JSON.stringify(`${REPO_DIR}/test/helpers/actors.ts`)};\n`);
    try {
      const spec = jsContainerSpec(join(dir, 'thing.ts'), 'Thing');
      expect(spec.binds).toContain(`${dir}:${dir}:ro`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('container options - a module that cannot be built fails with CAIRN_GUEST_START_FAILED naming it', () => {
    expect(() => jsContainerSpec('/opt/nowhere/thing.ts', 'Thing')).toThrow(expect.objectContaining({ code: KernelCodes.GUEST_START_FAILED, message: expect.stringContaining('/opt/nowhere/thing.ts') }));
  });

  it('container options - splitTag keeps a registry port in the repository', () => {
    expect(splitTag('cairn-base:local')).toEqual(['cairn-base', 'local']);
    expect(splitTag('host:5000/app')).toEqual(['host:5000/app', undefined]);
    expect(splitTag('host:5000/app:2')).toEqual(['host:5000/app', '2']);
  });
});

describe('container exit', () => {
  it('container exit - OOMKilled is CAIRN_GUEST_OOM naming the limit', () => {
    expect(exitFromState({ ExitCode: 137, OOMKilled: true }, 64)).toEqual({ code: KernelCodes.GUEST_OOM, reason: 'OOMKilled (memory limit 64 MB)' });
  });

  it('container exit - other ends are CAIRN_GUEST_EXITED with the code and signal', () => {
    expect(exitFromState({ ExitCode: 0, OOMKilled: false })).toEqual({ code: KernelCodes.GUEST_EXITED, reason: 'exited with code 0' });
    expect(exitFromState({ ExitCode: 137, OOMKilled: false }).reason).toBe('exited with code 137 (killed by SIGKILL)');
    expect(exitFromState({ ExitCode: 127, OOMKilled: false, Error: 'exec: not found' }).reason).toBe('exited with code 127 (exec: not found)');
  });
});

describe('container stats', () => {
  it('container stats - cpu percent of one core and memory without reclaimable cache', () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000, online_cpus: 2 },
      memory_stats: { usage: 50_000_000, stats: { total_inactive_file: 10_000_000 } },
    } as unknown as Dockerode.ContainerStats;
    expect(usageFromStats(stats)).toEqual({ cpuPercent: 40, memoryBytes: 40_000_000 });
  });

  it('container stats - a sample without a previous reading reports 0 % cpu', () => {
    const stats = { cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 1 }, precpu_stats: {}, memory_stats: { usage: 1000 } } as unknown as Dockerode.ContainerStats;
    expect(usageFromStats(stats)).toEqual({ cpuPercent: 0, memoryBytes: 1000 });
  });
});

describe('container logs', () => {
  it('container logs - demuxes Docker multiplexed stdout and stderr', () => {
    const frame = (type: number, text: string | Uint8Array) => {
      const payload = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
      const header = Buffer.alloc(8);
      header.writeUInt8(type, 0);
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const protocol = encodeFrame({ t: 'stopped' });
    const { stdout, stderr } = demuxDockerStream(Buffer.concat([frame(2, 'warn\n'), frame(1, protocol), frame(2, 'more\n')]));
    expect(stderr.toString()).toBe('warn\nmore\n');
    expect(new Uint8Array(stdout)).toEqual(protocol);
  });
});
