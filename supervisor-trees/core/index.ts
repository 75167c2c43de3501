// The pure decision core of OTP supervision: specs, validation, restart intensity, backoff and
// the restart planner. No timers, no I/O; a runtime executes the commands it returns.
export type { RestartType } from './restart-type.ts';
export { RESTART_TYPES } from './restart-type.ts';
export type { Strategy } from './strategy.ts';
export { STRATEGIES } from './strategy.ts';
export type { ChildKind } from './child-kind.ts';
export { CHILD_KINDS } from './child-kind.ts';
export type { RestartBackoff } from './backoff.ts';
export { DEFAULT_BACKOFF } from './backoff.ts';
export type { SupervisorFlags } from './supervisor-flags.ts';
export { DEFAULT_FLAGS } from './supervisor-flags.ts';
export type { ChildSpec } from './child-spec.ts';
export { DEFAULT_CHILD } from './child-spec.ts';
export type { ExitReason } from './exit-reason.ts';
export type { Problem } from './problem.ts';
export type { Result } from './result.ts';

export { resolveFlags } from './resolve-flags.ts';
export { resolveBackoff } from './resolve-backoff.ts';
export { resolveChildSpec } from './resolve-child-spec.ts';
export { resolveChildSpecs } from './resolve-child-specs.ts';
export { CHILD_ID_PATTERN } from './child-spec-validators.ts';
export { SupervisorSpecError } from './supervisor-spec-error.ts';
export { orThrow } from './or-throw.ts';

export { addRestart } from './add-restart.ts';
export { restartDelayMs } from './restart-delay-ms.ts';
export { nextConsecutive } from './next-consecutive.ts';
export { shouldRestart } from './should-restart.ts';

export type { ChildState } from './child-state.ts';
export type { SupervisorState } from './supervisor-state.ts';
export type { SupervisorCommand } from './supervisor-command.ts';
export type { Plan } from './plan.ts';
export { createSupervisorState } from './create-supervisor-state.ts';
export { planChildExit } from './plan-child-exit.ts';
export { planShutdown } from './plan-shutdown.ts';
export { planStartAll } from './plan-start-all.ts';
export { addChild } from './add-child.ts';
export type { UpdateOptions } from './add-child.ts';
export { removeChild } from './remove-child.ts';
