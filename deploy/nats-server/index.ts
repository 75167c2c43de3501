// Public face of deploy/nats-server: finding, configuring and running nats-server.
export { findNatsServer, natsServerVersion, natsServerVersionAtLeast, parseNatsServerVersion } from './find-nats-server.ts';
export type { FindNatsServerOptions } from './find-nats-server.ts';
export { freePort, freePorts } from './free-port.ts';
export { startNatsServer } from './nats-server-process.ts';
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
  NatsWebSocketConfig,
} from './nats-server-config.ts';
export { quoteConfigString, serializeConfig } from './serialize-config.ts';
export type { ConfigBlock, ConfigValue } from './serialize-config.ts';
export {
  cloudClusterConfigs,
  cloudSiteConfig,
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
