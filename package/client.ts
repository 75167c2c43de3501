// `import { CairnClient } from 'cairn/client'`: a connection to a running site from outside it —
// list sites, nodes, actors, trees and applications; apply, delete and roll back applications;
// tell and ask actors; list, replay and purge dead letters. The `cairn` CLI is built on it.
export { CairnClient, DEFAULT_REPLY_TIMEOUT_MS, summarizeSites } from '../client/index.ts';
// Where the running site is, found as the `cairn` commands find it (CAIRN_SERVER, cairn-up.json…).
export { findSite } from '../deploy/embedded/index.ts';
export type { FoundSite } from '../deploy/embedded/index.ts';
export type { ClientOptions, NodeQuery, SiteAppStatus, SiteSummary, FollowedOutput } from '../client/index.ts';
export type { AppDetails, AppStatus, AppSummary, ApplyResult, RollbackResult, AppRevision, Diagnostic } from '../control-plane/index.ts';
export type { DeadLetter, ListOptions as DeadLetterListOptions, RegisteredNode, NodeState, ActorRef, TellOptions, AskOptions, Message } from '../kernel/index.ts';
export type { ActorInfo, ActorStatus, TreeReply, TreeNode, NodeRecord, OutputLine } from '../protocols/index.ts';
export { CairnError, isCairnError, DeployCodes, KernelCodes, ManifestCodes } from '../protocols/index.ts';
