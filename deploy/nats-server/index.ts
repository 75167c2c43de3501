// Public face of deploy/nats-server: finding, configuring and running nats-server.
export { findNatsServer, locateNatsServer, natsServerSearchDirs, natsServerVersion } from './find-nats-server.ts';
export type { FindNatsServerOptions, FoundNatsServer } from './find-nats-server.ts';
export { goBinDirs } from './go-bin-dirs.ts';
export { isSyncInterval } from './sync-interval.ts';
export { freePort, freePorts } from './free-port.ts';
export { startNatsServer } from './nats-server-process.ts';
export { startReconfigurableServer } from './reconfigurable-server.ts';
export type { ReconfigurableServer } from './reconfigurable-server.ts';
export { certificateSubject, downlinkLogin, reconfiguration, withDeviceAccess } from './device-access-config.ts';
export type { NatsServerExit, RunningNatsServer, StartNatsServerOptions } from './nats-server-process.ts';
export { renderNatsServerConfig } from './nats-server-config.ts';
export type {
  NatsAccount,
  NatsAuthorization,
  NatsClusterConfig,
  NatsDuration,
  NatsJetStreamConfig,
  NatsLeafNodesConfig,
  NatsLeafRemote,
  NatsMqttConfig,
  NatsPermissionList,
  NatsPermissions,
  NatsServerConfig,
  NatsTlsConfig,
  NatsUser,
  NatsConnectionType,
  NatsWebSocketConfig,
  SyncInterval,
} from './nats-server-config.ts';
export { quoteConfigString, serializeConfig } from './serialize-config.ts';
export type { ConfigBlock, ConfigValue } from './serialize-config.ts';
export {
  cloudClusterConfigs,
  cloudSiteConfig,
  DEFAULT_SYNC_INTERVAL,
  EDGE_PING_INTERVAL,
  EDGE_PING_MAX,
  edgeSiteConfig,
  embeddedConfig,
  leafUrlsOf,
  staleLinkBoundMs,
} from './site-configs.ts';
export type {
  CloudClusterOptions,
  CloudLinkOptions,
  CloudSiteOptions,
  EdgeLeafUser,
  EdgeSiteOptions,
  EmbeddedSiteOptions,
  LeafListenerOptions,
  MqttListenerOptions,
  SiteServerOptions,
  WebSocketListenerOptions,
} from './site-configs.ts';
export { installNatsTools, NatsTools, toolVersion } from './install-nats-tools.ts';
export type { InstalledTool, InstallNatsToolsOptions, InstallProgress, NatsTool } from './install-nats-tools.ts';
export { locateNatsCli } from './find-nats-cli.ts';
export type { FoundNatsCli } from './find-nats-cli.ts';
export { findSetpriv, guardedCommand, isServerOn, stopEarlierServer } from './server-guard.ts';
export { parseDeviceIncident } from './device-incidents.ts';
export { ClosedDevices, closedConnzPath, connzPath, deviceClientsOf } from './device-clients.ts';
