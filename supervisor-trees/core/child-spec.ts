import type { ChildKind } from './child-kind.ts';
import type { RestartType } from './restart-type.ts';

/** One child of a supervisor (OTP `child_spec`). `S` is whatever the runtime starts children from. */
export interface ChildSpec<S = unknown> {
  /** Unique among the supervisor's children; 1-128 of [A-Za-z0-9_-], starting with a letter or digit. */
  id: string;
  /** What the runtime starts the child from; checked by the `isStart` guard given to resolveChildSpec. */
  start: S;
  /** @default 'permanent' */
  restart: RestartType;
  /**
   * How long to wait after asking the child to stop before killing it; 0 kills at once.
   * @default 5000 for workers, 'infinity' for supervisors (they need time to stop their own children)
   */
  shutdownMs: number | 'infinity';
  /** @default 'worker' */
  kind: ChildKind;
}

/** Values used for every child spec field left out; `shutdownMs` depends on `kind`. */
export const DEFAULT_CHILD = Object.freeze({
  restart: 'permanent',
  kind: 'worker',
  shutdownMs: Object.freeze({ worker: 5000, supervisor: 'infinity' }),
} as const satisfies {
  restart: RestartType;
  kind: ChildKind;
  shutdownMs: Readonly<Record<ChildKind, number | 'infinity'>>;
});
