import { match } from 'ts-pattern';
import type { ActorEvent } from '../../protocols/index.ts';

/** One live line of `cairn up` per actor lifecycle event: "12:00:03.456  crashed    flaky  ...". */
export function formatEvent(e: ActorEvent): string {
  const time = new Date(e.ts).toISOString().slice(11, 23);
  const [what, detail] = match<ActorEvent, [string, string]>(e)
    .with({ type: 'started' }, (s) => (s.restarts > 0 ? ['restarted', `restart #${s.restarts}`] : ['started', '']))
    .with({ type: 'crashed' }, (c) => ['crashed', `${c.code}: ${c.reason}`])
    .with({ type: 'stopped' }, (s) => ['stopped', s.reason])
    .with({ type: 'dead-lettered' }, (d) => ['dead-lettered', `${d.code}: ${d.reason}  (see: cairn dlq ls)`])
    .with({ type: 'expired' }, (x) => ['expired', x.reason])
    .with({ type: 'escalated' }, (x) => ['escalated', `supervisor gave up: ${x.reason}`])
    .with({ type: 'retrying' }, (r) => ['retrying', `${r.code}: ${r.reason} (again in ${r.retryInMs} ms)`])
    .with({ type: 'filling' }, (f) => ['filling', `${f.code}: stream ${f.stream} is ${Math.round(f.used * 100)} % full by ${f.limit}; past 100 % its oldest messages are dropped`])
    .with({ type: 'dropped' }, (d) => ['dropped', `${d.code}: ${d.count} of the oldest messages held on ${d.stream} dropped to keep its limit`])
    .with({ type: 'stalled' }, (x) => ['stalled', `event loop held ${x.lagMs} ms${x.handlerMs === undefined ? '' : ` (this actor's handler ran ${x.handlerMs} ms)`}`])
    .exhaustive();
  return `${time}  ${what.padEnd(13)}  ${e.actor}${detail === '' ? '' : `  ${detail}`}`;
}
