import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { freePort } from '../../../deploy/nats-server/index.ts';
import type { UpFile } from '../../../deploy/embedded/index.ts';
import { MIN_NATS_SERVER_VERSION } from '../../../protocols/index.ts';
import type { ActorInfo } from '../../../protocols/index.ts';
import { OLD_NATS_SERVER } from '../../helpers/old-nats-server.ts';
import { runBin, startBin } from './cli-harness.ts';
import type { BinProcess } from './cli-harness.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('cairn up', () => {
  let dir: string;
  let up: BinProcess;
  let url: string;
  let upFile: UpFile;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-up-'));
    const port = await freePort();
    up = startBin(['up', '--data-dir', dir, '--port', String(port)]);
    await up.stdout.waitFor(/^ready:/, 30_000);
    upFile = JSON.parse(await readFile(join(dir, 'cairn-up.json'), 'utf8')) as UpFile;
    url = upFile.url;
    expect(url).toBe(`nats://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    if (up.child.exitCode === null && up.child.signalCode === null) {
      up.child.kill('SIGKILL');
      await up.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('cairn up - prints what runs and where, and the commands to try', () => {
    const out = up.stdout.lines.join('\n');
    expect(out).toMatch(/nats-server\s+v\d+\.\d+\.\d+/);
    expect(out).toContain(url);
    expect(out).toContain(join(dir, 'nats', 'jetstream'));
    expect(out).toMatch(/flaky\s+flaky\s+workers/);
    expect(out).toMatch(/greeter\s+greeter\s+hello/);
    expect(out).toContain(`npx cairn ask --data-dir ${dir} greeter '{"type":"greet","name":"Ada"}'`);
  });

  it('cairn up - says each step of its start before it is ready', () => {
    const lines = up.stdout.lines;
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const ready = at(/^ready:/);
    const steps = [/^… starting nats-server v\d+\.\d+\.\d+ .* with JetStream in /, /^… nats-server runs at nats:\/\/127\.0\.0\.1:\d+; starting node/, /^… node \S+ leads site local; starting example "hello"/].map(at);
    expect(steps.every((i) => i >= 0), lines.join('\n')).toBe(true);
    expect([...steps, ready]).toEqual([...steps, ready].sort((x, y) => x - y));
  });

  it('cairn ps/nodes/tree -o yaml and -o json print the same data as --json; an unknown format is a usage error naming the choices', async () => {
    for (const cmd of ['ps', 'nodes', 'tree']) {
      const json = await runBin([cmd, '--server', url, '--json']);
      const asJson = await runBin([cmd, '--server', url, '-o', 'json']);
      const asYaml = await runBin([cmd, '--server', url, '-o', 'yaml']);
      for (const r of [json, asJson, asYaml]) expect(r.code, r.stderr).toBe(0);
      // Ages and uptimes move between calls: compare the shape and the ids.
      const ids = (v: unknown): unknown => (Array.isArray(v) ? v.map((x: { id?: string; node?: string }) => x.id ?? x.node) : v);
      expect(ids(parseYaml(asYaml.stdout))).toEqual(ids(JSON.parse(json.stdout)));
      expect(ids(JSON.parse(asJson.stdout))).toEqual(ids(JSON.parse(json.stdout)));
    }
    // -s is --server, as in kubectl and the nats CLI.
    expect(JSON.parse((await runBin(['ps', '-s', url, '-o', 'json'])).stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'greeter' })]));
    const bad = await runBin(['ps', '--server', url, '-o', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/json, yaml/);
  });

  it('cairn ps --watch / nodes -w - print again every interval until Ctrl-C, then exit 0', async () => {
    for (const args of [['ps', '--server', url, '--watch', '200'], ['nodes', '--server', url, '-w', '200']]) {
      const watching = startBin(args);
      // The second render proves it repeats; each starts with a line saying when.
      await watching.stdout.waitFor(/^every 200 ms, at /, 10_000);
      const first = watching.stdout.lines.length;
      await expect.poll(() => watching.stdout.lines.filter((l) => /^every 200 ms, at /.test(l)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(watching.stdout.lines.length).toBeGreaterThan(first);
      watching.child.kill('SIGINT');
      expect(await watching.exited).toEqual({ code: 0, signal: null });
    }
    expect((await runBin(['ps', '--server', url, '--watch', '5'])).code).toBe(2);
  });

  it('cairn doctor - one line per check against the running site; all pass, exit 0', async () => {
    const r = await runBin(['doctor', '--server', url, '--data-dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}nats-server +v\d+\.\d+\.\d+ /m);
    expect(r.stdout).toMatch(/^ok {4}site +nats:\/\/127\.0\.0\.1:\d+ answers \(site local/m);
    expect(r.stdout).toMatch(/^ok {4}jetstream +on: \d+ streams/m);
    expect(r.stdout).toMatch(/^ok {4}nodes +1 up \(leader \S+\)$/m);
    expect(r.stdout).toMatch(/^ok {4}clocks +1 node\(s\) within 2 s of the server$/m);
    expect(r.stdout).toMatch(/^ok {4}links +no other site known here$/m);
    expect(r.stdout).toMatch(/^(ok|warn) +docker /m);
    expect(r.stdout).toMatch(new RegExp(`^(ok|warn) +disk +.* free \\(\\d+ %\\) at ${dir}$`, 'm'));
    const down = await runBin(['doctor', '--server', 'nats://127.0.0.1:1', '--data-dir', dir]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^fail {2}site +nats:\/\/127\.0\.0\.1:1 does not answer/m);
    expect(down.stdout).toMatch(/^ +fix: start a site here with `cairn up`/m);
    expect(down.stdout).toMatch(/^skip {2}jetstream /m);
  });

  it('cairn ps - shows the actors with the restarts of the crashing one', async () => {
    // The supervisor restarting flaky is an event cairn up prints: wait for it instead of sleeping.
    await up.stdout.waitFor(/restarted\s+flaky/, 20_000);
    const ps = await runBin(['ps', '--server', url]);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/^ID\s+BEHAVIOUR\s+NODE\s+STATUS\s+RESTARTS\s+HANDLED\s+FAILED\s+QUEUED\s+UPTIME$/m);
    for (const id of ['greeter', 'counter', 'flaky', 'ticker']) expect(ps.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
    const json = await runBin(['ps', '--server', url, '--json']);
    const actors = JSON.parse(json.stdout) as ActorInfo[];
    expect(actors.find((a) => a.id === 'flaky')!.restarts).toBeGreaterThanOrEqual(1);
    expect(actors.find((a) => a.id === 'greeter')!.restarts).toBe(0);
  });

  it('cairn ps - finds the site through cairn-up.json without --server', async () => {
    const ps = await runBin(['ps', '--data-dir', dir]);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toContain('greeter');
  });

  it('cairn tree - draws the supervisors and their children', async () => {
    const tree = await runBin(['tree', '--server', url]);
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toMatch(/^root\s+supervisor one_for_one/m);
    expect(tree.stdout).toMatch(/^└─ hello\s+supervisor one_for_one/m);
    expect(tree.stdout).toMatch(/^ {3}├─ workers\s+supervisor one_for_one \(intensity 20\/10000ms\)/m);
    expect(tree.stdout).toMatch(/^ {3}│ {2}└─ flaky\s+permanent/m);
  });

  it('cairn ask - prints the JSON reply', async () => {
    const ask = await runBin(['ask', 'greeter', '{"type":"greet","name":"Ada"}', '--server', url, '--json']);
    expect(ask.code, ask.stderr).toBe(0);
    const reply = JSON.parse(ask.stdout) as { greeting: string; ticks: number };
    expect(reply.greeting).toBe('Hello, Ada!');
    expect(reply.ticks).toBeGreaterThanOrEqual(0);
  });

  it('cairn tell - exits 0 once the message is stored', async () => {
    const tell = await runBin(['tell', 'counter', '{"type":"add","by":100}', '--server', url]);
    expect(tell.code, tell.stderr).toBe(0);
    expect(tell.stdout).toContain('sent add to local/counter');
  });

  it('cairn tell - an actor nobody runs is refused at once with the closest running id; --force sends anyway', async () => {
    const typo = await runBin(['tell', 'greter', '{"type":"greet","name":"Ada"}', '--server', url]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('CAIRN_CLI_ACTOR_NOT_RUNNING');
    expect(typo.stderr).toContain('did you mean "greeter"?');
    expect(typo.stdout).toBe('');
    const ask = await runBin(['ask', 'greter', '{"type":"greet","name":"Ada"}', '--server', url]);
    expect(ask.code).toBe(1);
    expect(ask.stderr).toContain('did you mean "greeter"?');
    // An actor about to be spawned: --force stores the message for it.
    const forced = await runBin(['tell', 'not-yet', '{"type":"work"}', '--server', url, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('sent work to local/not-yet');
  });

  it('cairn ask - bad JSON exits 2 naming the argument and where it breaks', async () => {
    const bad = await runBin(['ask', 'greeter', '{"type":"greet",', '--server', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CAIRN_CLI_INVALID_JSON');
    expect(bad.stderr).toContain('"{\\"type\\":\\"greet\\","');
    expect(bad.stderr).toContain('at position 16');
  });

  it('cairn nodes - lists the node with its last-seen age', async () => {
    const nodes = await runBin(['nodes', '--server', url]);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout).toMatch(new RegExp(`^${upFile.node}\\s+local\\s+up\\s+leader\\s+\\d+m?s ago`, 'm'));
  });

  it('cairn up - a second cairn up on the same data dir is refused', async () => {
    const second = await runBin(['up', '--data-dir', dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('CAIRN_UP_ALREADY_RUNNING');
    expect(second.stderr).toContain(`pid ${upFile.pid}`);
  });

  it('cairn up - SIGINT drains, stops nats-server, removes cairn-up.json and exits 0', async () => {
    expect(isAlive(upFile.natsPid)).toBe(true);
    up.child.kill('SIGINT');
    const exit = await up.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(up.stdout.lines).toContain('stopped');
    expect(up.stdout.lines.some((l) => /stopped\s+greeter\s+shutdown/.test(l))).toBe(true);
    expect(() => process.kill(upFile.natsPid, 0)).toThrow();
    await expect(access(join(dir, 'cairn-up.json'))).rejects.toThrow();
  });
});

describe('cairn up killed with kill -9', () => {
  it('cairn up - killed with SIGKILL takes its nats-server along, and the next cairn up on the same data dir starts one server and runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-up-kill-'));
    try {
      const first = startBin(['up', '--data-dir', dir, '--example', 'none']);
      await first.stdout.waitFor(/^ready:/, 30_000);
      const { natsPid } = JSON.parse(await readFile(join(dir, 'cairn-up.json'), 'utf8')) as UpFile;
      first.child.kill('SIGKILL');
      await first.exited;
      await expect.poll(() => isAlive(natsPid), { timeout: 10_000, interval: 50 }).toBe(false);
      // cairn-up.json is left behind by the killed run; the next start is not refused by it.
      const second = startBin(['up', '--data-dir', dir, '--example', 'none']);
      try {
        await second.stdout.waitFor(/^ready:/, 30_000);
        const again = JSON.parse(await readFile(join(dir, 'cairn-up.json'), 'utf8')) as UpFile;
        expect(again.pid).toBe(second.child.pid);
        expect((await runBin(['nodes', '--data-dir', dir, '-o', 'json'])).code).toBe(0);
      } finally {
        second.child.kill('SIGINT');
        expect((await second.exited).code).toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('cairn up without nats-server', () => {
  it('cairn up - a missing nats-server prints the install command and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-up-'));
    try {
      const r = await runBin(['up', '--nats-server', '/nonexistent', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('CAIRN_NATS_SERVER_NOT_FOUND');
      expect(r.stderr).toContain('"/nonexistent"');
      expect(r.stderr).toContain('npx cairn server install');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cairn up - a nats-server older than the minimum is refused, naming its version, the minimum and the install command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-up-'));
    try {
      // Debian bookworm's package (2.9.10), installed by .ci/run as the old server these tests need.
      const r = await runBin(['up', '--nats-server', OLD_NATS_SERVER, '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('CAIRN_NATS_SERVER_TOO_OLD');
      expect(r.stderr).toContain(`nats-server 2.9.10 (${OLD_NATS_SERVER}) is older than ${MIN_NATS_SERVER_VERSION}`);
      expect(r.stderr).toContain('npx cairn server install');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cairn up - an unknown example names the ones that exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-up-'));
    try {
      const r = await runBin(['up', '--example', 'nope', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('CAIRN_EXAMPLE_NOT_FOUND');
      expect(r.stderr).toContain('use one of: hello, none');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
