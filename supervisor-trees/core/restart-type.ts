// When a child is restarted: Cairn's one RestartType (protocols/restart-type.ts).
export { RESTART_TYPES } from '../../protocols/index.ts';
export type { RestartType } from '../../protocols/index.ts';
