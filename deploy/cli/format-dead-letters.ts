import type { DeadLetter } from '../../kernel/index.ts';
import { formatDuration } from './format-duration.ts';
import type { Column } from './format-table.ts';
import { formatTable } from './format-table.ts';

/** `cairn dlq ls` as a table. */
export function formatDeadLetters(letters: readonly DeadLetter[], now: number): string[] {
  const columns: Column<DeadLetter>[] = [
    { header: 'SEQ', value: (d) => d.seq, align: 'right' },
    { header: 'ACTOR', value: (d) => d.actor },
    { header: 'TYPE', value: (d) => d.envelope?.type ?? '?' },
    { header: 'ATTEMPTS', value: (d) => d.attempts, align: 'right' },
    { header: 'AGE', value: (d) => formatDuration(now - Date.parse(d.deadAt)), align: 'right' },
    { header: 'CODE', value: (d) => d.code },
    { header: 'REASON', value: (d) => (d.reason.length > 80 ? `${d.reason.slice(0, 79)}…` : d.reason) },
  ];
  return formatTable(columns, letters);
}

/** A dead letter as JSON output: the envelope's body instead of the whole envelope. */
export function deadLetterJson(d: DeadLetter): Record<string, unknown> {
  return {
    seq: d.seq,
    actor: d.actor,
    type: d.envelope?.type,
    message: d.envelope?.body,
    code: d.code,
    reason: d.reason,
    attempts: d.attempts,
    subject: d.subject,
    deadAt: d.deadAt,
    size: d.size,
  };
}
