import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

/** One sensor reading; `seq` counts from 0 per edge, so gaps and duplicates show. */
export type Reading = { readonly type: 'reading'; readonly from: string; readonly seq: number; readonly value: number };

/** What the cloud's aggregator knows of one edge. */
export interface EdgeTally {
  /** Distinct readings received in order. */
  readonly received: number;
  /** Highest seq seen; -1 before the first. */
  readonly last: number;
  /** Readings whose seq was already seen. */
  readonly duplicates: number;
  /** Times a seq skipped ahead (readings missing in between). */
  readonly gaps: number;
}
export type AggregatorState = Readonly<Record<string, EdgeTally>>;
export type AggregatorMsg = Reading | ({ readonly type: 'report' } & Asks<AggregatorState>);

/** Cloud actor: counts readings per edge and checks per-sender order. Persisted, so a redelivery after a restart is not counted twice. */
export const Aggregator = defineActor<AggregatorMsg, AggregatorState>({
  name: 'aggregator',
  persist: true,
  initialState: () => ({}),
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'reading' }, ({ from, seq }) => {
        const t = ctx.state[from] ?? { received: 0, last: -1, duplicates: 0, gaps: 0 };
        const next: EdgeTally =
          seq <= t.last
            ? { ...t, duplicates: t.duplicates + 1 }
            : { received: t.received + 1, last: seq, duplicates: t.duplicates, gaps: t.gaps + (seq === t.last + 1 ? 0 : 1) };
        ctx.setState({ ...ctx.state, [from]: next });
      })
      .with({ type: 'report' }, () => ctx.state)
      .exhaustive(),
});

export interface AlarmState {
  readonly handled: number;
  readonly raised: number;
}
export type AlarmMsg = Reading | ({ readonly type: 'report' } & Asks<AlarmState>);

/** The reading above which an edge's alarm goes off. */
export const ALARM_THRESHOLD = 24;

/** Edge actor: acts on every local reading, with or without the cloud. */
export const Alarm = defineActor<AlarmMsg, AlarmState>({
  name: 'alarm',
  initialState: () => ({ handled: 0, raised: 0 }),
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'reading' }, ({ value }) => ctx.setState({ handled: ctx.state.handled + 1, raised: ctx.state.raised + (value > ALARM_THRESHOLD ? 1 : 0) }))
      .with({ type: 'report' }, () => ctx.state)
      .exhaustive(),
});

export interface SensorState {
  /** Readings told to the aggregator (each accepted, i.e. stored on this edge). */
  readonly sent: number;
}
export type SensorMsg = { readonly type: 'tick' } | ({ readonly type: 'report' } & Asks<SensorState>);

/**
 * Edge actor: on each tick, tells the cloud's aggregator a reading (accepted once stored in this
 * edge's outbox, link or no link) and the local alarm. The message id is derived from the seq, so
 * a retried tick is de-duplicated instead of counted twice.
 */
export function defineSensor(cloud: string) {
  return defineActor<SensorMsg, SensorState>({
    name: 'sensor',
    persist: true,
    initialState: () => ({ sent: 0 }),
    receive: (msg, ctx) =>
      match(msg)
        .with({ type: 'tick' }, async () => {
          const seq = ctx.state.sent;
          const reading: Reading = { type: 'reading', from: ctx.site, seq, value: Math.round((20 + 5 * Math.sin(seq / 8)) * 10) / 10 };
          await ctx.tell(ctx.ref<AggregatorMsg>('aggregator', cloud), reading, { id: `${ctx.site}-reading-${seq}` });
          await ctx.tell(ctx.ref<AlarmMsg>('alarm'), reading, { id: `${ctx.site}-alarm-${seq}` });
          ctx.setState({ sent: seq + 1 });
        })
        .with({ type: 'report' }, () => ctx.state)
        .exhaustive(),
  });
}
