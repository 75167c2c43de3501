import type { Clock } from './clock.ts';

/** What the usage sampler needs of a cell. */
export interface SampledCell {
  readonly id: string;
  sampleUsage(): Promise<void>;
  info(): { readonly cpuPercent?: number; readonly memoryBytes?: number };
}

/** One sampler loop for all guests until `signal` aborts, so a slow `docker stats` never blocks anything else. */
export function sampleUsageForever(cells: () => Iterable<SampledCell>, everyMs: number, clock: Clock, signal: AbortSignal): void {
  void (async () => {
    while (!signal.aborted) {
      await clock.sleep(everyMs, signal).catch(() => undefined);
      for (const cell of [...cells()]) {
        if (signal.aborted) return;
        await cell.sampleUsage();
      }
    }
  })();
}

/** The last CPU and memory sample of each guest that has one, by actor id (the node registry's `guests`). */
export function guestUsage(cells: Iterable<SampledCell>): Record<string, { cpuPercent: number; memoryBytes: number }> {
  const out: Record<string, { cpuPercent: number; memoryBytes: number }> = {};
  for (const cell of cells) {
    const { cpuPercent, memoryBytes } = cell.info();
    if (cpuPercent !== undefined && memoryBytes !== undefined) out[cell.id] = { cpuPercent, memoryBytes };
  }
  return out;
}
