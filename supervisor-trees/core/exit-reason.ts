// Why a child exited: Cairn's one ExitReason (protocols/exit-reason.ts).
export type { ExitReason } from '../../protocols/index.ts';
