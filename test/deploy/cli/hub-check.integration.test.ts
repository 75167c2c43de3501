// `cairn hub check` reads a manifest (no site needed) and says, for each device principal, where
// what it may publish goes, then tries it on a throwaway server; it exits 1 when something would be
// dropped or reach no actor.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifestOrThrow } from '../../../control-plane/index.ts';
import { hubCheckLines, hubCheckTopic } from '../../../deploy/cli/hub-check-report.ts';
import { runBin } from './cli-harness.ts';

const MANIFEST = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: plant }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners: { mqtt: { port: 1883 } }
        principals:
          - { username: s1, password: pw, publish: ["plant/s1/#", "debug/#"] }
          - { username: s2, password: pw, publish: ["plant/s2/temp"] }
    - { id: readings, behaviour: { module: ./readings.ts } }
    - { id: alarms, behaviour: { module: ./alarms.ts } }
  routes:
    - { from: { mqtt: "plant/+/temp" }, to: { actor: readings } }
    - { from: { mqtt: "alarm/#" }, to: { actor: alarms } }
`;

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cairn hub check', () => {
  it('hub check - says where each publish filter goes, which one reaches no actor, and which route no device may feed', () => {
    const lines = hubCheckLines(parseManifestOrThrow(MANIFEST).app).map((l) => `${l.level} ${l.text}`);
    expect(lines).toEqual([
      'ok s1 publishes plant/s1/# -> readings (spec.routes[0]) (only what also matches plant/+/temp)',
      'warn s1 publishes debug/#: no route takes it; it reaches only devices subscribed to it',
      'ok s2 publishes plant/s2/temp -> readings (spec.routes[0])',
      'warn spec.routes[1] (alarm/# -> alarms): no principal may publish there; the server acknowledges and drops what devices send, so this route gets nothing from devices',
    ]);
  });

  it('hub check - one topic of one principal: routed, allowed but unrouted, or dropped outside its filters', () => {
    const app = parseManifestOrThrow(MANIFEST).app;
    const one = (who: string, topic: string): string[] => hubCheckTopic(app, who, topic).map((l) => `${l.level} ${l.text}`);
    expect(one('s1', 'plant/s1/temp')).toEqual(['ok s1 publishing plant/s1/temp: allowed -> readings (spec.routes[0])']);
    expect(one('s1', 'debug/x')).toEqual(['warn s1 publishing debug/x: allowed, but no route takes it; it reaches only devices subscribed to it']);
    expect(one('s2', 'plant/s1/temp')[0]).toMatch(/^warn s2 publishing plant\/s1\/temp: dropped: outside its publish filters/);
    expect(one('nobody', 'plant/s1/temp')[0]).toMatch(/no principal "nobody"/);
  });

  it('hub check - the command reads -f without a site, prints the lines, and exits 1 on a warning, 0 without', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-hub-check-'));
    const file = join(dir, 'plant.yaml');
    await writeFile(file, MANIFEST);
    // The manifest's behaviours exist beside it, as apply would want them.
    for (const name of ['readings.ts', 'alarms.ts']) await writeFile(join(dir, name), 'export default {};\n');
    const all = await runBin(['hub', 'check', '-f', file]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^plant:\n {2}ok {4}s1 publishes plant\/s1\/# -> readings/);
    expect(all.stdout).toContain('  warn  s1 publishes debug/#: no route takes it');
    // Then each principal publishes on a throwaway server, which drops what its permissions deny.
    expect(all.stderr).toContain('plant/hub: trying 12 publishes and 0 subscriptions of 2 principals on a throwaway nats-server...');
    expect(all.stdout).toContain('  ok    server: s1 publishing plant/s1/temp: delivered\n');
    expect(all.stdout).toContain('  ok    server: s2 publishing alarm: dropped (outside its publish filters)\n');
    expect(all.stdout).not.toMatch(/warn {2}server:/);
    const fine = await runBin(['hub', 'check', '-f', file, '--user', 's1', '--topic', 'plant/s1/temp']);
    expect([fine.code, fine.stdout]).toEqual([0, 'plant:\n  ok    s1 publishing plant/s1/temp: allowed -> readings (spec.routes[0])\n']);
    const json = await runBin(['hub', 'check', '-f', file, '-o', 'json', '--no-probe']);
    expect((JSON.parse(json.stdout) as { app: string; lines: unknown[] }[])[0]!.lines).toHaveLength(4);
    expect(json.stderr).toBe('');
    const usage = await runBin(['hub', 'check', '-f', file, '--user', 's1']);
    expect(usage.code).toBe(2);
  }, 60_000);
});
