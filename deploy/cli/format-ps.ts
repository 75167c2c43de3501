import type { ActorInfo } from '../../protocols/index.ts';
import { formatDuration } from './format-duration.ts';
import type { Column } from './format-table.ts';
import { formatTable } from './format-table.ts';

/** `cairn ps` as a table; uptime is measured from `now`. */
export function formatPs(actors: readonly ActorInfo[], now: number): string[] {
  const columns: Column<ActorInfo>[] = [
    { header: 'ID', value: (a) => a.id },
    { header: 'BEHAVIOUR', value: (a) => a.behaviour },
    { header: 'NODE', value: (a) => a.node },
    { header: 'STATUS', value: (a) => a.status },
    { header: 'RESTARTS', value: (a) => a.restarts, align: 'right' },
    { header: 'HANDLED', value: (a) => a.handled, align: 'right' },
    { header: 'FAILED', value: (a) => a.failed, align: 'right' },
    { header: 'QUEUED', value: (a) => a.queued, align: 'right' },
    { header: 'UPTIME', value: (a) => (a.status === 'running' && a.startedAt > 0 ? formatDuration(now - a.startedAt) : '-'), align: 'right' },
  ];
  return formatTable(columns, actors);
}
