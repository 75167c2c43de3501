import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { createActorSystem, SupervisorSpecError } from '../../supervisor-trees/index.ts';
import type { ActorSystem, SupervisorSpec } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { SupervisorCodes } from '../../protocols/index.ts';
import type { TreeNode } from '../../protocols/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';
import { eventLog } from '../helpers/actors.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

function system(site: string): Promise<ActorSystem> {
  return createActorSystem({ servers: server.url, site, node: 'n1' });
}

type WorkerMsg = { type: 'crash' } | ({ type: 'incarnation' } & Asks<number>) | { type: 'finish' };

/** Counts its incarnations in memory (a restart resets it, so starts are observable) and records start/stop order. */
function worker(name: string, journal: string[]) {
  let incarnations = 0;
  return defineActor<WorkerMsg, { me: number }>({
    name,
    retry: { maxAttempts: 100, initialBackoffMs: 1, maxBackoffMs: 1 },
    initialState: () => ({ me: ++incarnations }),
    onStart: (ctx) => void journal.push(`start ${ctx.id}`),
    onStop: (ctx) => void journal.push(`stop ${ctx.id}`),
    receive: (msg, ctx) =>
      match(msg)
        .with({ type: 'crash' }, () => {
          // Crash once: the retry in the next incarnation succeeds.
          if (ctx.attempt === 1) throw new Error(`${ctx.id} crashes`);
        })
        .with({ type: 'incarnation' }, () => ctx.state.me)
        .with({ type: 'finish' }, () => {
          throw Object.assign(new Error('never'), { unreachable: true });
        })
        .exhaustive(),
  });
}

function childrenOf(node: TreeNode | undefined): readonly TreeNode[] {
  return node?.kind === 'supervisor' ? node.children : [];
}

async function incarnations(sys: ActorSystem, ids: string[]): Promise<number[]> {
  return Promise.all(ids.map((id) => sys.ref<WorkerMsg>(id).ask({ type: 'incarnation' })));
}

function tree(strategy: SupervisorSpec['strategy'], journal: string[], extra: Partial<SupervisorSpec> = {}): SupervisorSpec {
  return {
    id: 'sup',
    strategy,
    intensity: 5,
    periodMs: 10_000,
    ...extra,
    children: ['a', 'b', 'c'].map((id) => ({ id, actor: worker(`w-${id}`, journal) })),
  };
}

describe('supervision', () => {
  it('supervision - one_for_one restarts only the crashed actor', async () => {
    const sys = await system('s-ofo');
    try {
      const log = eventLog((l) => sys.onEvent(l));
      await sys.supervise(tree('one_for_one', []));
      await sys.ref<WorkerMsg>('b').tell({ type: 'crash' });
      await log.next((e) => e.type === 'started' && e.actor === 'b' && e.restarts === 1);
      expect(await incarnations(sys, ['a', 'b', 'c'])).toEqual([1, 2, 1]);
    } finally {
      await sys.shutdown();
    }
  });

  it('supervision - one_for_all restarts every sibling, stopping them in reverse order first', async () => {
    const sys = await system('s-ofa');
    const journal: string[] = [];
    try {
      const log = eventLog((l) => sys.onEvent(l));
      await sys.supervise(tree('one_for_all', journal));
      journal.length = 0;
      await sys.ref<WorkerMsg>('b').tell({ type: 'crash' });
      await log.next((e) => e.type === 'started' && e.actor === 'c' && e.restarts === 1);
      expect(await incarnations(sys, ['a', 'b', 'c'])).toEqual([2, 2, 2]);
      // b crashed (no onStop on a crash); the others stop in reverse start order, then all start in order.
      expect(journal).toEqual(['stop c', 'stop a', 'start a', 'start b', 'start c']);
    } finally {
      await sys.shutdown();
    }
  });

  it('supervision - rest_for_one restarts the crashed actor and those started after it', async () => {
    const sys = await system('s-rfo');
    const journal: string[] = [];
    try {
      const log = eventLog((l) => sys.onEvent(l));
      await sys.supervise(tree('rest_for_one', journal));
      journal.length = 0;
      await sys.ref<WorkerMsg>('b').tell({ type: 'crash' });
      await log.next((e) => e.type === 'started' && e.actor === 'c' && e.restarts === 1);
      expect(await incarnations(sys, ['a', 'b', 'c'])).toEqual([1, 2, 2]);
      expect(journal).toEqual(['stop c', 'start b', 'start c']);
    } finally {
      await sys.shutdown();
    }
  });

  it('supervision - exceeding restart intensity escalates and the parent restarts the subtree', async () => {
    const sys = await system('s-esc');
    try {
      const log = eventLog((l) => sys.onEvent(l));
      await sys.supervise({
        id: 'outer',
        strategy: 'one_for_one',
        intensity: 5,
        periodMs: 60_000,
        children: [{ id: 'inner', supervisor: { id: 'inner', strategy: 'one_for_one', intensity: 1, periodMs: 60_000, children: [{ id: 'x', actor: worker('w-x', []) }] } }],
      });
      const x = sys.ref<WorkerMsg>('x');
      await x.tell({ type: 'crash' }, { id: 'c1' }); // restart 1: within intensity 1
      await log.next((e) => e.type === 'started' && e.actor === 'x' && e.restarts === 1);
      await x.tell({ type: 'crash' }, { id: 'c2' }); // restart 2: exceeds, inner gives up
      const escalated = await log.next((e) => e.type === 'escalated');
      expect(escalated).toMatchObject({ actor: 'inner' });
      expect((escalated as { reason: string }).reason).toContain('intensity');
      // outer restarts inner, whose fresh x retries the message and succeeds.
      await log.next((e) => e.type === 'started' && e.actor === 'x' && log.events.indexOf(e) > log.events.indexOf(escalated));
      expect(await x.ask({ type: 'incarnation' })).toBe(3);
      const inner = childrenOf(sys.tree()).find((c) => c.id === 'outer');
      expect(inner).toMatchObject({ kind: 'supervisor', status: 'running' });
    } finally {
      await sys.shutdown();
    }
  });

  it('supervision - transient actors are not restarted after a normal stop, temporary ones never', async () => {
    const sys = await system('s-types');
    try {
      const log = eventLog((l) => sys.onEvent(l));
      await sys.supervise({
        id: 'types',
        intensity: 10,
        children: [
          { id: 't', actor: worker('w-t', []), restart: 'transient' },
          { id: 'tmp', actor: worker('w-tmp', []), restart: 'temporary' },
        ],
      });
      await sys.ref<WorkerMsg>('t').tell({ type: 'crash' });
      await log.next((e) => e.type === 'started' && e.actor === 't' && e.restarts === 1);
      await sys.ref<WorkerMsg>('tmp').tell({ type: 'crash' });
      await log.next((e) => e.type === 'crashed' && e.actor === 'tmp');
      await expect.poll(() => sys.ps().actors.map((a) => a.id).sort()).toEqual(['t']);
      expect(childrenOf(sys.tree())[0]).toMatchObject({ id: 'types', children: [{ id: 't', status: 'running', restarts: 1 }] });
    } finally {
      await sys.shutdown();
    }
  });

  it('supervision - shutdown stops actors in reverse start order and kills one that overruns its timeout', async () => {
    const sys = await system('s-shutdown');
    const journal: string[] = [];
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    const Stuck = defineActor<{ type: 'hang' }>({
      name: 'stuck',
      receive: async (_m, ctx) => {
        journal.push('hanging');
        await Promise.race([never, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
        journal.push('aborted');
      },
      onStop: () => void journal.push('stop stuck'),
    });
    try {
      const log = eventLog((l) => sys.onEvent(l));
      await sys.supervise({ id: 'ordered', children: [{ id: 'first', actor: worker('w-first', journal) }, { id: 'second', actor: worker('w-second', journal) }, { id: 'stuck', actor: Stuck, shutdownMs: 200 }] });
      await sys.ref<{ type: 'hang' }>('stuck').tell({ type: 'hang' });
      await expect.poll(() => journal.includes('hanging')).toBe(true);
      journal.length = 0;
      await sys.shutdown();
      expect(journal).toEqual(['aborted', 'stop second', 'stop first']);
      expect(log.events.find((e) => e.type === 'stopped' && e.actor === 'stuck')).toMatchObject({ reason: 'killed after shutdown timeout' });
    } finally {
      release();
      await sys.shutdown();
    }
  });

  it('supervision - an invalid tree is rejected whole, naming every bad field, before anything starts', async () => {
    const sys = await system('s-invalid');
    try {
      const err = await sys
        .supervise({
          id: 'bad',
          strategy: 'one_for_some' as never,
          intensity: -1,
          children: [
            { id: 'ok', actor: worker('w-ok', []) },
            { id: 'ok', actor: worker('w-ok2', []) },
            { id: 'r', actor: worker('w-r', []), restart: 'sometimes' as never },
            { id: 'nested', supervisor: { id: 'nested', periodMs: 0, children: [] } },
          ],
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SupervisorSpecError);
      const problems = (err as SupervisorSpecError).problems;
      expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['bad.strategy', 'bad.intensity', 'bad.children[1].id', 'bad.children[2].restart', 'bad.children[3].supervisor.periodMs']));
      expect(problems.find((p) => p.path === 'bad.children[2].restart')?.message).toContain('"sometimes"');
      expect(problems.some((p) => p.code === SupervisorCodes.DUPLICATE_CHILD_ID)).toBe(true);
      expect(sys.ps().actors).toEqual([]);
    } finally {
      await sys.shutdown();
    }
  });
});
