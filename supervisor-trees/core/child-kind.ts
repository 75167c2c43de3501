/** Whether a child is a worker (an actor) or a nested supervisor; decides the default shutdownMs. */
export type ChildKind = 'worker' | 'supervisor';

/** Every child kind, for validation and messages. */
export const CHILD_KINDS: readonly ChildKind[] = Object.freeze(['worker', 'supervisor']);
