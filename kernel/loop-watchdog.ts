import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { NodeEvents } from './node-events.ts';

/** The slowest synchronous handler run since the last look: what most likely held the event loop. */
export class HandlerTimer {
  private slowest: { actor: string; ms: number } | undefined;

  /** Records one synchronous run of `actor`'s handler that took `ms`. */
  record(actor: string, ms: number): void {
    if (this.slowest === undefined || ms > this.slowest.ms) this.slowest = { actor, ms };
  }

  /** The slowest run recorded since the last call, and forgets it. */
  take(): { readonly actor: string; readonly ms: number } | undefined {
    const s = this.slowest;
    this.slowest = undefined;
    return s;
  }
}

/** A stall of the event loop: how late a tick ran, and the handler that most likely caused it. */
export interface Stall {
  readonly lagMs: number;
  readonly actor?: string;
  readonly handlerMs?: number;
}

/**
 * Whether a tick expected at `expectedAt` and run at `now` shows a stall (late by `thresholdMs` or
 * more), naming the slowest handler run meanwhile if it took a good part of the lag. Pure.
 */
export function stallOf(expectedAt: number, now: number, thresholdMs: number, slowest: { readonly actor: string; readonly ms: number } | undefined): Stall | undefined {
  const lagMs = Math.round(now - expectedAt);
  if (lagMs < thresholdMs) return undefined;
  return slowest !== undefined && slowest.ms >= lagMs / 2 ? { lagMs, actor: slowest.actor, handlerMs: Math.round(slowest.ms) } : { lagMs };
}

export interface LoopWatchdogOptions {
  /** How late a tick may run before it counts as a stall. */
  readonly thresholdMs: number;
  /** How often to tick. @default a quarter of the threshold, at least 20 ms */
  readonly intervalMs?: number;
  readonly handlers: HandlerTimer;
  onStall(stall: Stall): void;
}

/**
 * Measures the node's own event-loop delay until `signal` aborts: a tick that runs late by the
 * threshold is a stall, reported with the handler that held the loop when one did. Real time,
 * not the injectable clock: a stall is the process's, not the program's.
 */
export function watchEventLoop(o: LoopWatchdogOptions, signal: AbortSignal): void {
  const every = o.intervalMs ?? Math.max(20, Math.floor(o.thresholdMs / 4));
  let expectedAt = performance.now() + every;
  const timer = setInterval(() => {
    const now = performance.now();
    const stall = stallOf(expectedAt, now, o.thresholdMs, o.handlers.take());
    expectedAt = now + every;
    if (stall) o.onStall(stall);
  }, every);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/** Reports a stall of node `node` in its log and as a `stalled` event (the node itself when no handler is to blame). */
export function stallReporter(o: { readonly node: string; readonly events: NodeEvents; readonly log: Logger; readonly clock: Clock }): (s: Stall) => void {
  return (s) => {
    o.log.warn({ lagMs: s.lagMs, actor: s.actor, handlerMs: s.handlerMs }, 'event loop stalled: nothing else on this node ran meanwhile');
    o.events.emit({ v: 1, type: 'stalled', actor: s.actor ?? `~${o.node}`, lagMs: s.lagMs, ...(s.handlerMs === undefined ? {} : { handlerMs: s.handlerMs }), ts: o.clock.now() });
  };
}
