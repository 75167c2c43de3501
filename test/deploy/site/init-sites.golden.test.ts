import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../deploy/cli/index.ts';
import { findNatsServer } from '../../../deploy/nats-server/index.ts';
import { initSites, loadSitesFile } from '../../../deploy/site/index.ts';
import { captureIo } from '../cli/cli-harness.ts';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const EXAMPLE = fileURLToPath(new URL('../../../examples/multi-site/sites.yaml', import.meta.url));
// CAIRN_UPDATE_GOLDEN=1 rewrites the files; review the diff before keeping it.
const UPDATE = process.env['CAIRN_UPDATE_GOLDEN'] === '1';
const FILES = ['cloud/nats-server.conf', 'cloud/site.json', 'edge1/nats-server.conf', 'edge1/site.json', 'edge2/nats-server.conf', 'edge2/site.json'];
const fixedPassword = (edge: string): string => `pw-${edge}`;

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('cairn site init', () => {
  it('site init - writes the golden config and site.json of every site, mode 0600, for a fixed password', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-init-'));
    const result = await initSites(await loadSitesFile(EXAMPLE), { outDir: dir, password: fixedPassword });
    const tls = (site: string): string[] => ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem'].map((f) => join(dir!, site, 'tls', f));
    expect(result.written).toEqual(['cloud', 'edge1', 'edge2'].flatMap((site) => [...FILES.filter((f) => f.startsWith(`${site}/`)).map((f) => join(dir!, f)), ...tls(site)]));
    for (const file of FILES) {
      // Paths differ per run: the golden files hold <DIR> instead.
      const text = (await readFile(join(dir, file), 'utf8')).replaceAll(dir, '<DIR>');
      const golden = join(GOLDEN_DIR, file.replace('/', '.'));
      if (UPDATE) await writeFile(golden, text);
      expect(text, file).toBe(await readFile(golden, 'utf8'));
      expect((await stat(join(dir, file))).mode & 0o777, file).toBe(0o600);
    }
  });

  it('site init - makes each site a CA and a server certificate for its names, keys mode 0600; --force keeps the CA', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-init-'));
    const file = join(dir, 'sites.yaml');
    await writeFile(file, 'apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { advertise: "hub.example.com:7422" }\nedges:\n  - { name: edge1, port: 4300, host: 0.0.0.0, certificateNames: [plant1.example.com, 10.1.2.3] }\n');
    const result = await initSites(await loadSitesFile(file), { outDir: dir });
    const openssl = (...args: string[]): Promise<string> => promisify(execFile)('openssl', args).then((r) => r.stdout);
    const edge = result.tls.get('edge1')!;
    expect(edge.newCa).toBe(true);
    expect(await openssl('verify', '-CAfile', edge.ca, edge.cert)).toContain(': OK');
    const text = await openssl('x509', '-in', edge.cert, '-noout', '-ext', 'subjectAltName,extendedKeyUsage');
    // The wildcard host is not a name; loopback and the listed names are. Client use too: the hub logs in with it.
    expect(text).toMatch(/IP Address:127\.0\.0\.1, DNS:localhost, DNS:plant1\.example\.com, IP Address:10\.1\.2\.3\s/);
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(await openssl('x509', '-in', result.tls.get('cloud')!.cert, '-noout', '-ext', 'subjectAltName')).toContain('DNS:hub.example.com');
    // Another site's CA does not vouch for it.
    await expect(openssl('verify', '-CAfile', result.tls.get('cloud')!.ca, edge.cert)).rejects.toThrow();
    for (const key of [join(dir, 'edge1', 'tls', 'ca-key.pem'), edge.key]) expect((await stat(key)).mode & 0o777, key).toBe(0o600);

    const ca = await readFile(edge.ca, 'utf8');
    const server = await readFile(edge.cert, 'utf8');
    const again = await initSites(await loadSitesFile(file), { outDir: dir, force: true });
    expect(again.tls.get('edge1')!.newCa).toBe(false);
    expect(again.written).not.toContain(edge.ca);
    expect(await readFile(edge.ca, 'utf8')).toBe(ca);
    expect(await readFile(edge.cert, 'utf8')).not.toBe(server);
    expect(await openssl('verify', '-CAfile', edge.ca, edge.cert)).toContain(': OK');
  });

  it('site init - nats-server accepts every written config (nats-server -t)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-init-'));
    const binary = await findNatsServer();
    await initSites(await loadSitesFile(EXAMPLE), { outDir: dir });
    for (const site of ['cloud', 'edge1', 'edge2']) {
      await promisify(execFile)(binary, ['-t', '-c', join(dir, site, 'nats-server.conf')]);
    }
  });

  it('site init - refuses to overwrite without --force, rewrites with new passwords with it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-init-'));
    const io = captureIo();
    expect(await runCli(['site', 'init', '-f', EXAMPLE, '--data-dir', dir], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain(`npx cairn site up cloud --data-dir ${dir}`);
    expect(io.stdout.join('\n')).toMatch(/edge2\s+edge\s+nats:\/\/127\.0\.0\.1:4224\s+cloud,edge1/);
    const first = await readFile(join(dir, 'edge1', 'nats-server.conf'), 'utf8');

    const again = captureIo();
    // --out, the older name of --data-dir, still works and says so.
    expect(await runCli(['site', 'init', '-f', EXAMPLE, '--out', dir], again)).toBe(1);
    expect(again.stderr[0]).toBe('note: --out is now --data-dir (the same name in every command); --out still works');
    expect(again.stderr.slice(1).join('\n')).toMatch(/error \[CAIRN_SITE_FILES_EXIST\]: site files already exist \(.*cloud\/nats-server\.conf.*\).*Pass --force/);
    expect(await readFile(join(dir, 'edge1', 'nats-server.conf'), 'utf8')).toBe(first);

    const both = captureIo();
    expect(await runCli(['site', 'init', '-f', EXAMPLE, '--out', join(dir, 'x'), '--data-dir', dir], both)).toBe(2);
    expect(both.stderr.join('\n')).toMatch(/--data-dir .* and --out .* name different folders/);
    expect(await runCli(['site', 'init', '-f', EXAMPLE, '--data-dir', dir, '--force'], captureIo())).toBe(0);
    const rewritten = await readFile(join(dir, 'edge1', 'nats-server.conf'), 'utf8');
    expect(rewritten).not.toBe(first);
    expect(rewritten).toMatch(/nats-leaf:\/\/edge1:[A-Za-z0-9_-]{32}@127\.0\.0\.1:7422/);
  });

  it('site init - an invalid sites file prints every problem and writes nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-init-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: cairn.dev/v1\nkind: Sites\nedges:\n  - { name: a, port: 4300 }\n  - { name: a, port: 4300 }\n');
    const io = captureIo();
    expect(await runCli(['site', 'init', '-f', file, '--data-dir', join(dir, 'out')], io)).toBe(1);
    const err = io.stderr.join('\n');
    expect(err).toContain('CAIRN_SITES_FILE_INVALID');
    expect(err).toContain('edges[1].name: is "a", the same as edges[0].name');
    expect(err).toContain('edges[1].port: is 4300 on 127.0.0.1, the same as edges[0].port');
    await expect(stat(join(dir, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
