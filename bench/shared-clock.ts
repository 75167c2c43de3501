import { performance } from 'node:perf_hooks';

/** A timestamp two processes on one machine read alike: milliseconds since the epoch, sub-millisecond. */
export const sharedNow = (): number => performance.timeOrigin + performance.now();
