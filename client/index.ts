/** Public face of client/: CairnClient, a connection to a running site from outside it (the CLI, dashboards, tests). */
export { CairnClient, DEFAULT_REPLY_TIMEOUT_MS } from './cairn-client.ts';
export type { ClientOptions, SiteAppStatus } from './cairn-client.ts';
export type { NodeQuery } from './node-query.ts';
export { collectReplies } from './node-query.ts';
export { summarizeSites } from './site-summary.ts';
export type { SiteSummary } from './site-summary.ts';
export { checkActor } from './actor-check.ts';
export { siteOfServer } from './site-of-server.ts';
export type { ActorCheck } from './actor-check.ts';
export { seamOverlap } from './followed-output.ts';
export type { FollowedOutput } from './followed-output.ts';
