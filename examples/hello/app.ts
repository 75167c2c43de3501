import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { Counter } from './counter.ts';
import { Flaky } from './flaky.ts';
import { Greeter } from './greeter.ts';
import { DEFAULT_TICK_MS, tickerActor } from './ticker.ts';

export interface HelloOptions {
  /** @default 1000 */
  readonly tickMs?: number;
}

/** Commands `cairn up` suggests once this app runs. */
export const tryNext: readonly string[] = [
  'npx cairn ps',
  'npx cairn tree',
  `npx cairn ask greeter '{"type":"greet","name":"Ada"}'`,
  `npx cairn tell flaky '{"type":"work","job":1,"poison":true}'   # then: npx cairn dlq ls`,
];

/**
 * The hello application: one supervisor tree
 *
 *   hello (one_for_one)
 *   ├─ counter   persisted total
 *   ├─ greeter   answers greet asks, asking the counter
 *   ├─ ticker    every tick: counter += 1, a job for flaky
 *   └─ workers (one_for_one)
 *      └─ flaky  crashes on every third job; restarted by workers
 *
 * Returns the function that stops the tree.
 */
export async function start(system: ActorSystem, opts: HelloOptions = {}): Promise<() => Promise<void>> {
  const handle = await system.supervise({
    id: 'hello',
    strategy: 'one_for_one',
    intensity: 10,
    periodMs: 10_000,
    children: [
      { id: 'counter', actor: Counter },
      { id: 'greeter', actor: Greeter },
      {
        id: 'workers',
        supervisor: {
          id: 'workers',
          strategy: 'one_for_one',
          // flaky crashes about once every three ticks, and up to three times for a poison job.
          intensity: 20,
          periodMs: 10_000,
          children: [{ id: 'flaky', actor: Flaky }],
        },
      },
      { id: 'ticker', actor: tickerActor(opts.tickMs ?? DEFAULT_TICK_MS) },
    ],
  });
  return () => system.stop(handle.id);
}
