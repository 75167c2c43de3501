// Failover: from `kill -9` of a site's leader node to its actors running on another node.
// Variants (BENCH_VARIANT):
//   failover-<n>  a leader node with <n> actors and a standby node of the same site (separate
//                 processes); kill -9 the leader; until the standby has taken the lease and started
//                 the <n> actors. Split into detect (kill -> lease taken: the lease ttl, 5 s by
//                 default, plus up to one renew interval) and take over (lease -> actors running).
//   hosted-<n>    a leader places <n> worker actors on a standby node; kill -9 that node; until the
//                 leader has restarted them all on itself. Split into detect (kill -> the first ends
//                 with CAIRN_NODE_LOST: the node timeout, 5 s, plus up to one 1 s liveness check) and
//                 move (-> all restarted on the leader).
//   restart-<n>   baseline: kill -9 the same leader and start it again at once with the same node id
//                 (it takes its own lease back without waiting): what "just restart the process"
//                 (systemd Restart=always) gives, with no failure detection at all.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { benchInput, emit } from './harness.ts';
import { summarize } from './stats.ts';

const input = benchInput();
const here = dirname(fileURLToPath(import.meta.url));
const NODE_MAIN = join(here, 'failover-node.ts');
const [kind, nText] = input.variant.split('-') as ['failover' | 'restart' | 'hosted', string];
const actors = Number(nText);
const SAMPLES = Number(process.env.BENCH_FAILOVER_SAMPLES ?? 5);
const STEP_TIMEOUT_MS = 60_000;

interface NodeProcess {
  readonly child: ChildProcess;
  /** Resolves with the wall-clock ms the node printed with `word`. */
  at(word: 'standby' | 'leading' | 'running' | 'lost' | 'moved'): Promise<number>;
}

function startNode(site: string, node: string, hostedOn?: string): NodeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE_MAIN, input.url, site, node, String(actors), ...(hostedOn ? [hostedOn] : [])], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAIRN_LOG_LEVEL: 'error' } });
  const seen = new Map<string, number>();
  const waiters = new Map<string, (ms: number) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [word, ms] = line.split(' ');
    if (!word || !ms) return;
    seen.set(word, Number(ms));
    waiters.get(word)?.(Number(ms));
  });
  return {
    child,
    at: (word) =>
      new Promise((resolve, reject) => {
        const known = seen.get(word);
        if (known !== undefined) return resolve(known);
        const timer = setTimeout(() => reject(new Error(`node ${node} did not print "${word}" within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
        waiters.set(word, (ms) => {
          clearTimeout(timer);
          resolve(ms);
        });
      }),
  };
}

async function kill9(p: NodeProcess): Promise<number> {
  const exited = once(p.child, 'exit');
  const t0 = Date.now();
  p.child.kill('SIGKILL');
  await exited;
  return t0;
}

async function stop(p: NodeProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = once(p.child, 'exit');
  p.child.kill('SIGTERM');
  await exited;
}

/** One sample on a fresh site: ms from the kill to the actors running again, and its split. */
async function sample(round: number): Promise<{ totalMs: number; detectMs: number; takeoverMs: number }> {
  const site = `${input.tag}r${round}`;
  if (kind === 'hosted') {
    const leader = startNode(site, 'a', 'b');
    await leader.at('leading');
    const host = startNode(site, 'b');
    await host.at('standby');
    await leader.at('running');
    const t0 = await kill9(host);
    const lost = await leader.at('lost');
    const moved = await leader.at('moved');
    await stop(leader);
    return { totalMs: moved - t0, detectMs: lost - t0, takeoverMs: moved - lost };
  }
  const leader = startNode(site, 'a');
  await leader.at('running');
  if (kind === 'failover') {
    const standby = startNode(site, 'b');
    await standby.at('standby');
    const t0 = await kill9(leader);
    const leading = await standby.at('leading');
    const running = await standby.at('running');
    await stop(standby);
    return { totalMs: running - t0, detectMs: leading - t0, takeoverMs: running - leading };
  }
  const t0 = await kill9(leader);
  const again = startNode(site, 'a');
  const leading = await again.at('leading');
  const running = await again.at('running');
  await stop(again);
  return { totalMs: running - t0, detectMs: leading - t0, takeoverMs: running - leading };
}

const nc = await connect({ servers: input.url });
const jsm = await jetstreamManager(nc);
const rounds = [];
for (let i = 0; i < SAMPLES; i++) rounds.push(await sample(i));
// Drop what the rounds created on the shared server.
for await (const name of jsm.streams.names()) if (name.includes(input.tag)) await jsm.streams.delete(name).catch(() => undefined);
await nc.close();
emit({
  variant: input.variant,
  kind,
  actors,
  samples: SAMPLES,
  total: summarize(rounds.map((r) => r.totalMs)),
  detect: summarize(rounds.map((r) => r.detectMs)),
  takeover: summarize(rounds.map((r) => r.takeoverMs)),
});
