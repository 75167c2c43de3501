import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { ActorEventListener, Asks } from '../../kernel/index.ts';
import type { ActorEvent } from '../../protocols/index.ts';

export type CounterMsg =
  | { type: 'inc'; by: number }
  | ({ type: 'get' } & Asks<number>)
  | { type: 'boom'; times?: number };

/** A counter whose state is persisted; `boom` throws. */
export const PersistentCounter = defineActor<CounterMsg, { n: number }>({
  name: 'persistent-counter',
  persist: true,
  initialState: { n: 0 },
  retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'inc' }, ({ by }) => ctx.setState({ n: ctx.state.n + by }))
      .with({ type: 'get' }, () => ctx.state.n)
      .with({ type: 'boom' }, () => {
        throw new Error('boom');
      })
      .exhaustive(),
});

/** The same counter, in memory only. */
export const Counter = defineActor<CounterMsg, { n: number }>({
  ...PersistentCounter,
  name: 'counter',
  persist: false,
  initialState: () => ({ n: 0 }),
  retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
  receive: PersistentCounter.receive,
});

/** Collects node events and lets a test await one matching a predicate (no sleeps). */
export function eventLog(subscribe: (l: ActorEventListener) => () => void): {
  events: ActorEvent[];
  next(pred: (e: ActorEvent) => boolean, timeoutMs?: number): Promise<ActorEvent>;
  count(pred: (e: ActorEvent) => boolean): number;
  stop(): void;
} {
  const events: ActorEvent[] = [];
  const waiters = new Set<{ pred: (e: ActorEvent) => boolean; resolve: (e: ActorEvent) => void }>();
  const off = subscribe((e) => {
    events.push(e);
    for (const w of waiters) if (w.pred(e)) { waiters.delete(w); w.resolve(e); }
  });
  return {
    events,
    count: (pred) => events.filter(pred).length,
    next: (pred, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const found = events.find(pred);
        if (found) return resolve(found);
        const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(events.slice(-10))}`)); }, timeoutMs);
        const w = { pred, resolve: (e: ActorEvent) => { clearTimeout(timer); resolve(e); } };
        waiters.add(w);
      }),
    stop: off,
  };
}
