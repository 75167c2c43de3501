import {
  createSupervisorState,
  DEFAULT_FLAGS,
  type RestartType,
  type SupervisorFlags,
  type SupervisorState,
} from '../../../supervisor-trees/core/index.ts';

/** A started supervisor whose children are `ids` (restart type after a colon, permanent if none). */
export function makeState(flags: Partial<SupervisorFlags>, ids: string[], now = 0): SupervisorState {
  const specs = ids.map((entry) => {
    const [id = entry, restart = 'permanent'] = entry.split(':');
    return { id, restart: restart as RestartType };
  });
  return deepFreeze(createSupervisorState({ ...DEFAULT_FLAGS, ...flags }, specs, now));
}

/** Planners must not mutate their input; freezing makes any attempt throw in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const crash = { type: 'error', error: 'boom' } as const;
export const normal = { type: 'normal' } as const;
export const shutdown = { type: 'shutdown' } as const;
