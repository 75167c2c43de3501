// Node hosting: a site's leader running actors' guests on the other nodes of its site.
export { remoteNodeLauncher, DEFAULT_LIVENESS_CHECK_MS, DEFAULT_START_TIMEOUT_MS } from './remote-node-launcher.ts';
export type { RemoteNodeLauncherOptions } from './remote-node-launcher.ts';
export { HOST_ANSWER_TIMEOUT_MS } from './remote-node-channel.ts';
export { NodeHostService } from './node-host-service.ts';
export type { NodeHostServiceOptions, HostedGuestInfo, HostedGuestExitListener } from './node-host-service.ts';
export { hostedGuestExit, lostGuestExit } from './hosted-exit.ts';
export type { HostKillCause, GuestLoss } from './hosted-exit.ts';
export { silentGuests } from './leader-silence.ts';
export type { HeardGuest } from './leader-silence.ts';
export { interruptionOf, onConnectionInterrupted } from './connection-watch.ts';
export type { Interruption } from './connection-watch.ts';
