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
  // A listing that spans sites (a cloud lists its edges' actors too) says which site each is on.
  if (new Set(actors.map((a) => a.site)).size > 1) columns.splice(1, 0, { header: 'SITE', value: (a) => a.site });
  // Guests (worker, process, container) add where they run and what they use.
  if (actors.some((a) => a.mode !== 'inline')) {
    columns.splice(3, 0, { header: 'MODE', value: (a) => a.mode });
    columns.push(
      { header: 'GUEST', value: (a) => a.guest ?? '' },
      { header: 'CPU', value: (a) => (a.cpuPercent === undefined ? '' : `${a.cpuPercent.toFixed(1)}%`), align: 'right' },
      { header: 'MEM', value: (a) => (a.memoryBytes === undefined ? '' : formatBytes(a.memoryBytes)), align: 'right' },
    );
  }
  // Modules that say something of themselves (a bridge's peer and buffer) get a last column.
  if (actors.some((a) => a.figures !== undefined)) columns.push({ header: 'FIGURES', value: (a) => formatFigures(a.figures) });
  return formatTable(columns, actors);
}

/** `{ peer: 'up', buffered: 3 }` -> "peer=up buffered=3". */
export function formatFigures(figures: ActorInfo['figures']): string {
  return figures === undefined ? '' : Object.entries(figures).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/** 1536 -> "1.5 KiB", 52428800 -> "50.0 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
