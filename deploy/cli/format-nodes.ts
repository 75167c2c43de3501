import { isNodeAlive } from '../../protocols/index.ts';
import type { NodeRecord } from '../../protocols/index.ts';
import { formatDuration } from './format-duration.ts';
import type { Column } from './format-table.ts';
import { formatTable } from './format-table.ts';

/** A node missed too many heartbeats: the one rule of protocols/node-liveness.ts. */
export function isStale(record: NodeRecord, now: number): boolean {
  return !isNodeAlive(record, now);
}

/** `cairn nodes` as a table: a node is "dead" once it missed the heartbeats of the node timeout (protocols/node-liveness.ts). */
export function formatNodes(nodes: readonly NodeRecord[], now: number): string[] {
  const columns: Column<NodeRecord>[] = [
    { header: 'NODE', value: (n) => n.id },
    { header: 'SITE', value: (n) => n.site },
    { header: 'STATUS', value: (n) => (isStale(n, now) ? 'dead' : 'up') },
    // leader: consumes the site's mailbox and runs its supervisors; standby: hosts placed actors, takes over.
    { header: 'ROLE', value: (n) => n.role ?? '' },
    { header: 'LAST SEEN', value: (n) => `${formatDuration(now - n.lastSeen)} ago`, align: 'right' },
    { header: 'UPTIME', value: (n) => formatDuration(now - n.startedAt), align: 'right' },
    { header: 'PID', value: (n) => n.pid, align: 'right' },
    { header: 'CPUS', value: (n) => n.resources?.cpus ?? '', align: 'right' },
    { header: 'MEMORY', value: (n) => (n.resources ? `${n.resources.memoryMb} MB` : ''), align: 'right' },
    { header: 'LABELS', value: (n) => Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(',') },
  ];
  return formatTable(columns, nodes);
}
