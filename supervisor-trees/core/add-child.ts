import { SupervisorCodes } from '../../protocols/index.ts';
import type { ChildSpec } from './child-spec.ts';
import type { Plan } from './plan.ts';
import { fail, ok, type Result } from './result.ts';
import type { SupervisorState } from './supervisor-state.ts';

/** How a planner may treat the state it is given. */
export interface UpdateOptions {
  /**
   * Update `state` in place and return it, instead of returning a copy. Only for a runtime that
   * owns its state exclusively: copying makes N dynamic adds cost O(N^2), which a root supervisor
   * with 10,000 spawned actors cannot afford. @default false
   */
  readonly inPlace?: boolean;
}

/**
 * Adds a child at run time (OTP start_child), last in start order, and starts it. Used for
 * simple_one_for_one children, and allowed under every strategy. Fails if the id is taken.
 */
export function addChild(state: SupervisorState, child: Pick<ChildSpec, 'id' | 'restart'>, now: number, opts: UpdateOptions = {}): Result<Plan> {
  if (state.children[child.id] !== undefined) {
    return fail([
      {
        path: 'child.id',
        code: SupervisorCodes.DUPLICATE_CHILD_ID,
        message: `child.id is ${JSON.stringify(child.id)}, already used by a child of this supervisor; give every child a unique id`,
      },
    ]);
  }
  const added = { id: child.id, restart: child.restart, running: true, consecutive: 0, startedAt: now };
  if (opts.inPlace) {
    state.order.push(child.id);
    state.children[child.id] = added;
    return ok({ state, commands: [{ type: 'start', ids: [child.id], delayMs: 0 }] });
  }
  return ok({
    state: { ...state, order: [...state.order, child.id], children: { ...state.children, [child.id]: added } },
    commands: [{ type: 'start', ids: [child.id], delayMs: 0 }],
  });
}
