import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, ExitCodes, resolveConnection, runCli } from '../../../deploy/cli/index.ts';
import { writeUpFile } from '../../../deploy/embedded/index.ts';
import { DeployCodes } from '../../../protocols/index.ts';
import { captureIo } from './cli-harness.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveConnection', () => {
  it('resolveConnection - uses the defaults when nothing is configured', async () => {
    expect(await resolveConnection({ dataDir: dir }, {})).toEqual({ server: DEFAULT_SERVER, site: 'local', source: 'default', siteSource: 'default' });
  });

  it('resolveConnection - reads the URL and site that cairn up wrote', async () => {
    await writeUpFile(dir, { url: 'nats://127.0.0.1:4999', site: 'edge1', pid: 1, natsPid: 2, node: 'n', startedAt: '' });
    expect(await resolveConnection({ dataDir: dir }, {})).toEqual({ server: 'nats://127.0.0.1:4999', site: 'edge1', source: `${dir}/cairn-up.json`, siteSource: `${dir}/cairn-up.json` });
  });

  it('resolveConnection - a flag beats the environment, which beats cairn-up.json', async () => {
    await writeUpFile(dir, { url: 'nats://127.0.0.1:4999', site: 'edge1', pid: 1, natsPid: 2, node: 'n', startedAt: '' });
    const env = { CAIRN_SERVER: 'nats://127.0.0.1:5000', CAIRN_DATA_DIR: dir };
    expect((await resolveConnection({}, env)).server).toBe('nats://127.0.0.1:5000');
    expect((await resolveConnection({ server: 'nats://127.0.0.1:5001', site: 's2' }, env))).toMatchObject({ server: 'nats://127.0.0.1:5001', site: 's2', source: '--server', siteSource: '--site' });
  });

  it('resolveConnection - names a corrupt cairn-up.json and how to fix it', async () => {
    await writeFile(join(dir, 'cairn-up.json'), '{"url":');
    await expect(resolveConnection({ dataDir: dir }, {})).rejects.toMatchObject({ code: DeployCodes.CLI_UP_FILE_INVALID, message: expect.stringContaining('delete it') });
  });

  it('resolveConnection - rejects an invalid site name', async () => {
    await expect(resolveConnection({ dataDir: dir, site: 'a.b' }, {})).rejects.toThrow(/site name "a\.b"/);
  });
});

describe('runCli', () => {
  it('runCli - bad JSON is a usage error (exit 2) naming the JSON, before any connection', async () => {
    const io = captureIo({});
    expect(await runCli(['ask', 'greeter', '{"type":', '--server', 'nats://127.0.0.1:1'], io)).toBe(ExitCodes.usage);
    expect(io.stderr.join('\n')).toContain(`[${DeployCodes.CLI_INVALID_JSON}]`);
    expect(io.stderr.join('\n')).toContain('"{\\"type\\":"');
  });

  it('runCli - an unknown option or a bad number exits 2 with the bad value', async () => {
    const io = captureIo({});
    expect(await runCli(['ps', '--bogus'], io)).toBe(ExitCodes.usage);
    expect(io.stderr.join('\n')).toContain("unknown option '--bogus'");
    expect(await runCli(['ask', 'greeter', '{"type":"x"}', '--timeout', 'soon'], io)).toBe(ExitCodes.usage);
    expect(io.stderr.join('\n')).toContain('--timeout "soon" is not an integer');
  });

  it('runCli - an unreachable server exits 1 naming the URL', async () => {
    const io = captureIo({});
    expect(await runCli(['ps', '--server', 'nats://127.0.0.1:1'], io)).toBe(ExitCodes.error);
    expect(io.stderr.join('\n')).toMatch(/CAIRN_NATS_UNREACHABLE.*nats:\/\/127\.0\.0\.1:1/);
  });

  it('runCli - --help exits 0 and lists every command', async () => {
    const io = captureIo({});
    expect(await runCli(['--help'], io)).toBe(ExitCodes.ok);
    const help = io.stdout.join('\n');
    for (const cmd of ['up', 'ps', 'tree', 'nodes', 'tell', 'ask', 'dlq']) expect(help).toContain(`  ${cmd}`);
  });
});
