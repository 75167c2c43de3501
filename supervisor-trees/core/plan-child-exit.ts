import { match } from 'ts-pattern';
import { SupervisorCodes } from '../../protocols/index.ts';
import { addRestart } from './add-restart.ts';
import type { ChildState } from './child-state.ts';
import type { ExitReason } from './exit-reason.ts';
import { nextConsecutive } from './next-consecutive.ts';
import type { Plan } from './plan.ts';
import { restartDelayMs } from './restart-delay-ms.ts';
import { shouldRestart } from './should-restart.ts';
import type { SupervisorCommand } from './supervisor-command.ts';
import type { SupervisorState } from './supervisor-state.ts';

/**
 * Decides what a supervisor does when one of its children exits on its own (OTP
 * handle_info({'EXIT', ...})). Not for children the supervisor itself is stopping: the runtime
 * does not report those. Exits of unknown or already-stopped children are ignored.
 *
 * Not restarted (see shouldRestart): temporary children, and every child of a simple_one_for_one
 * supervisor, are removed; others stay known but not running. Restarted: the restart is recorded
 * in the intensity window; if that exceeds intensity the only command is escalate. Otherwise the
 * strategy picks the siblings to restart with it, which are stopped in reverse start order
 * (temporary siblings are then removed, as OTP does), and all are started in start order after the
 * failed child's backoff delay.
 */
export function planChildExit(state: SupervisorState, childId: string, reason: ExitReason, now: number): Plan {
  const child = state.children[childId];
  if (child === undefined || !child.running) return { state, commands: [] };

  if (!shouldRestart(child.restart, reason)) {
    if (child.restart === 'temporary' || state.flags.strategy === 'simple_one_for_one') {
      return { state: withoutChildren(state, [childId]), commands: [{ type: 'remove', id: childId }] };
    }
    return { state: withChildren(state, [{ ...child, running: false }]), commands: [] };
  }

  const { window, exceeded } = addRestart(state.window, now, state.flags);
  if (exceeded) {
    const error = `reached max restart intensity (${window.length} restarts within ${state.flags.periodMs}ms, intensity ${state.flags.intensity}) after child "${childId}" ${describeExit(reason)}`;
    return {
      state: { ...withChildren(state, [{ ...child, running: false }]), window },
      commands: [{ type: 'escalate', reason: { type: 'error', error, code: SupervisorCodes.SUPERVISOR_INTENSITY_EXCEEDED } }],
    };
  }

  const consecutive = nextConsecutive(child.consecutive, child.startedAt, now, state.flags.backoff);
  const delayMs = restartDelayMs(consecutive, state.flags.backoff);
  const startAt = now + delayMs;
  const siblings = siblingsToRestart(state, childId);
  const known = (id: string): ChildState[] => (state.children[id] === undefined ? [] : [state.children[id]]);
  const siblingStates = siblings.flatMap(known);
  const temporary = siblingStates.filter((c) => c.restart === 'temporary').map((c) => c.id);
  const toStop = siblingStates.filter((c) => c.running).map((c) => c.id).reverse();
  const restarted = new Set([childId, ...siblings.filter((id) => !temporary.includes(id))]);
  const toStart = state.order.filter((id) => restarted.has(id));

  const commands: SupervisorCommand[] = [];
  if (toStop.length > 0) commands.push({ type: 'stop', ids: toStop });
  for (const id of temporary) commands.push({ type: 'remove', id });
  commands.push({ type: 'start', ids: toStart, delayMs });

  const updated = toStart.flatMap(known).map((c) =>
    c.id === childId ? { ...c, consecutive, running: true, startedAt: startAt } : { ...c, running: true, startedAt: startAt },
  );
  const next = withoutChildren(withChildren(state, updated), temporary);
  return { state: { ...next, window }, commands };
}

/** The children restarted along with `childId`, in start order (one strategy per clause). */
function siblingsToRestart(state: SupervisorState, childId: string): string[] {
  return match(state.flags.strategy)
    .with('one_for_one', 'simple_one_for_one', () => [])
    .with('one_for_all', () => state.order.filter((id) => id !== childId))
    .with('rest_for_one', () => state.order.slice(state.order.indexOf(childId) + 1))
    .exhaustive();
}

function describeExit(reason: ExitReason): string {
  return match(reason)
    .with({ type: 'normal' }, () => 'exited normally')
    .with({ type: 'shutdown' }, () => 'shut down')
    .with({ type: 'error' }, (r) => `failed: ${r.code === undefined ? '' : `${r.code} `}${r.error}`)
    .exhaustive();
}

function withChildren(state: SupervisorState, changed: readonly ChildState[]): SupervisorState {
  const children = { ...state.children };
  for (const child of changed) children[child.id] = child;
  return { ...state, children };
}

function withoutChildren(state: SupervisorState, ids: readonly string[]): SupervisorState {
  if (ids.length === 0) return state;
  const children = { ...state.children };
  for (const id of ids) delete children[id];
  return { ...state, order: state.order.filter((id) => !ids.includes(id)), children };
}
