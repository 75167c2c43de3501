import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { ActorNode } from '../../kernel/index.ts';
import { Buckets, decodeValue, encodeValue } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';
import { Ledger } from '../fixtures/ledger-node.ts';
import type { LedgerMsg } from '../fixtures/ledger-node.ts';

let server: TestServer;
let nc: NatsConnection;
serverForFile((s, c) => {
  server = s;
  nc = c;
});

async function startLedgerNode(site: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/ledger-node.ts', server.url, site], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAIRN_LOG_LEVEL: 'error' } });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) if (line === 'ready') break;
  return child;
}

/** Applied-message count in the ledger's persisted state, read straight from KV. */
async function storedCount(site: string): Promise<number> {
  const kv = await new Kvm(jetstream(nc)).open(Buckets.state(site));
  const entry = await kv.get('ledger');
  if (!entry || entry.value.length === 0) return 0;
  const { state } = decodeValue(entry.value) as { state: { applied: Record<string, number> } };
  return Object.keys(state.applied).length;
}

describe('crash recovery', () => {
  it('crash recovery - after kill -9 mid-stream and a restart, no message is lost or applied twice', async () => {
    const site = 'crash';
    const total = 1_500;
    let node = await startLedgerNode(site);
    // A plain client of the site: a node that is connected but not started only sends.
    const sender = await ActorNode.connect({ servers: server.url, site, node: 'sender' });
    const ledger = sender.ref<LedgerMsg>('ledger');
    try {
      // Three kill -9 rounds while the ledger is busy with a stream of messages.
      const sends: Promise<void>[] = [];
      for (let i = 0; i < total; i++) sends.push(ledger.tell({ type: 'apply', key: `m${i}` }, { id: `m${i}` }));
      await Promise.all(sends);
      for (const threshold of [300, 700, 1_100]) {
        await expect.poll(() => storedCount(site), { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(threshold);
        node.kill('SIGKILL');
        await once(node, 'exit');
        node = await startLedgerNode(site);
      }
      const applied = await ledger.ask({ type: 'applied' }, { timeout: 60_000 });
      const counts = Object.values(applied);
      expect(counts).toHaveLength(total);
      expect(counts.every((c) => c === 1)).toBe(true);
    } finally {
      node.kill('SIGTERM');
      await once(node, 'exit');
      await sender.stop();
    }
  }, 180_000);

  it('crash recovery - a delivery whose sequence the stored state already includes is acked, not applied', async () => {
    // Deterministic check of the rule the kill -9 test relies on: state stored "as of" sequence
    // 1,000,000 means any mailbox message with a lower sequence was applied before a crash.
    const site = 'crash-rule';
    const sys = await createActorSystem({ servers: server.url, site, node: 'n1' });
    try {
      const kv = await new Kvm(jetstream(nc)).open(Buckets.state(site));
      await kv.put('ledger', encodeValue({ v: 1, seq: 1_000_000, state: { applied: { before: 1 } } }));
      const ref = await sys.spawn(Ledger, { id: 'ledger' });
      await ref.tell({ type: 'apply', key: 'again' });
      await expect.poll(() => sys.ps().actors[0]?.skipped).toBe(1);
      expect(sys.ps().actors[0]?.handled).toBe(0);
      await kv.put('ledger', encodeValue({ v: 1, seq: 0, state: { applied: { before: 1 } } }));
    } finally {
      await sys.shutdown();
    }
  });
});
