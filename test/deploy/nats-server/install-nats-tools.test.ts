import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installNatsTools, NatsTools } from '../../../deploy/nats-server/index.ts';
import type { InstallProgress } from '../../../deploy/nats-server/index.ts';
import { DeployCodes, isCairnError } from '../../../protocols/index.ts';
import { cleanEnv, runBin } from '../cli/cli-harness.ts';

/**
 * A stand-in for the `go` command that records every call and, for `go install <module>@v<x>`,
 * writes into GOBIN a binary named after the module's last path element that prints "v<x>".
 * The real Go build is exercised by .ci/run, which installs the pinned tools this way.
 */
const FAKE_GO = `#!/bin/sh
echo "$@" >> "$GO_CALLS"
case "$1" in
  env) echo "$GOBIN"; echo "/unused" ;;
  install)
    [ -n "$GO_FAIL" ] && { echo "go: module lookup failed: proxy unreachable" >&2; exit 1; }
    mod="\${2%@*}"; ver="\${2##*@}"; name="\${mod##*/}"; [ "$name" = v2 ] && name=nats-server
    printf '#!/bin/sh\\necho "%s: %s"\\n' "$name" "$ver" > "$GOBIN/$name"; chmod +x "$GOBIN/$name" ;;
esac
`;

let dir: string;
let env: NodeJS.ProcessEnv;
const calls = async (): Promise<string[]> => (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-install-'));
  await mkdir(join(dir, 'bin'));
  await mkdir(join(dir, 'gobin'));
  await writeFile(join(dir, 'bin', 'go'), FAKE_GO);
  await chmod(join(dir, 'bin', 'go'), 0o755);
  env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, GOBIN: join(dir, 'gobin'), HOME: dir, GO_CALLS: join(dir, 'calls') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('installNatsTools', () => {
  it('installNatsTools - builds each pinned tool with go install into the Go bin folder', async () => {
    const progress: InstallProgress[] = [];
    const installed = await installNatsTools({ tools: [NatsTools.server, NatsTools.cli], env, onProgress: (p) => progress.push(p) });
    expect(installed.map((i) => [i.path, i.built])).toEqual([
      [join(dir, 'gobin', 'nats-server'), true],
      [join(dir, 'gobin', 'nats'), true],
    ]);
    expect((await calls()).filter((c) => c.startsWith('install'))).toEqual([
      `install github.com/nats-io/nats-server/v2@v${NatsTools.server.version}`,
      `install github.com/nats-io/natscli/nats@v${NatsTools.cli.version}`,
    ]);
    expect(progress.map((p) => p.type)).toEqual(['building', 'built', 'building', 'built']);
  });

  it('installNatsTools - a second run finds the pinned versions and builds nothing, without even running Go', async () => {
    await installNatsTools({ tools: [NatsTools.server, NatsTools.cli], env });
    const before = (await calls()).length;
    const again = await installNatsTools({ tools: [NatsTools.server, NatsTools.cli], env: { ...env, PATH: '/usr/bin:/bin' } });
    expect(again.every((i) => !i.built)).toBe(true);
    expect((await calls()).length).toBe(before);
  });

  it('installNatsTools - another version in the Go bin folder is rebuilt at the pinned one, and says what it replaces', async () => {
    await writeFile(join(dir, 'gobin', 'nats-server'), '#!/bin/sh\necho "nats-server: v2.10.0"\n');
    await chmod(join(dir, 'gobin', 'nats-server'), 0o755);
    const progress: InstallProgress[] = [];
    await installNatsTools({ tools: [NatsTools.server], env, onProgress: (p) => progress.push(p) });
    expect(progress[0]).toMatchObject({ type: 'building', replacing: { version: '2.10.0', path: join(dir, 'gobin', 'nats-server') } });
  });

  it('installNatsTools - without Go: a coded error that names the other ways to get a server', async () => {
    const err = await installNatsTools({ tools: [NatsTools.server], env: { ...env, PATH: '/nonexistent' } }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.GO_NOT_FOUND)).toBe(true);
    expect((err as Error).message).toMatch(/go\.dev.*releases.*NATS_SERVER/s);
  });

  it('installNatsTools - a failing go install is a coded error carrying Go output', async () => {
    const err = await installNatsTools({ tools: [NatsTools.server], env: { ...env, GO_FAIL: '1' } }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_TOOL_INSTALL_FAILED)).toBe(true);
    expect((err as Error).message).toContain('proxy unreachable');
  });
});

describe('cairn server install', () => {
  it('cairn server install - installs both tools, then reports them present and the server cairn will run', async () => {
    const bin = (args: string[]) => runBin(args, 30_000, { ...cleanEnv(), ...env, PATH: `${env.PATH}:${process.env.PATH}` });
    const first = await bin(['server', 'install']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`nats-server v${NatsTools.server.version}: building with \`go install github.com/nats-io/nats-server/v2@v${NatsTools.server.version}\``);
    expect(first.stdout).toContain(`nats v${NatsTools.cli.version}: built`);
    const second = await bin(['server', 'install']);
    expect(second.stdout).toContain(`nats-server v${NatsTools.server.version}: already installed at ${join(dir, 'gobin', 'nats-server')}`);
    expect(second.stdout).toContain(`nats v${NatsTools.cli.version}: already installed`);
    const version = await bin(['server', 'version']);
    expect(version.stdout).toMatch(/^nats-server v\d+\.\d+\.\d+ \(.+\); minimum v2\.15\.0, pinned v2\.15\.2$/m);
  });
});
