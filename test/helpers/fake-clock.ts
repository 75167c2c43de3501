import type { Clock } from '../../kernel/index.ts';

/**
 * A Clock that moves only when a test says so: `sleep` waits until `advance` has moved time past
 * its deadline. It records every sleep asked for, so a test can check the delays a loop chose
 * without waiting for them.
 */
export class FakeClock implements Clock {
  private time: number;
  private readonly sleepers: { until: number; resolve: () => void }[] = [];
  /** The duration of every sleep asked for, in order. */
  readonly slept: number[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.sleepers.indexOf(sleeper);
        if (at !== -1) this.sleepers.splice(at, 1);
        reject(signal?.reason);
      };
      const sleeper = {
        until: this.time + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms` and wakes the sleeps whose deadline has come. */
  advance(ms: number): void {
    this.time += ms;
    for (const s of this.sleepers.filter((x) => x.until <= this.time)) {
      this.sleepers.splice(this.sleepers.indexOf(s), 1);
      s.resolve();
    }
  }

  /** How many sleeps are waiting. */
  get waiting(): number {
    return this.sleepers.length;
  }
}
