export { CairnError, isCairnError } from './errors/cairn-error.ts';
export type { ErrorCodeEntry } from './errors/cairn-error.ts';
export { KernelCodes } from './errors/kernel-codes.ts';
export type { KernelCode } from './errors/kernel-codes.ts';
export { errorCodes } from './error-codes.ts';
export { SupervisorCodes } from './errors/supervisor-codes.ts';
export { PlacementCodes } from './errors/placement-codes.ts';
export { ModuleCodes } from './errors/module-codes.ts';
export { ManifestCodes, ManifestDiagnosticCodes } from './errors/manifest-codes.ts';
export type { ManifestDiagnosticCode } from './errors/manifest-codes.ts';
export { closestName, didYouMean } from './closest-name.ts';
export type { ExitReason } from './exit-reason.ts';
export { RESTART_TYPES } from './restart-type.ts';
export type { RestartType } from './restart-type.ts';
export { backoffDelayMs } from './backoff.ts';
export type { Backoff } from './backoff.ts';
export type { Diagnostic } from './diagnostic.ts';
export { DeployCodes } from './errors/deploy-codes.ts';
export { NAME_PATTERN, assertName, isName } from './names.ts';
export type { NameKind } from './names.ts';
export { formatAddress, parseAddress } from './address.ts';
export { coveringSubjects, filterCovers, filtersIntersect, mqttFilterProblem, mqttFilterSubjects, routeSubjects, subjectFilterProblem, subjectMatches, SubjectMatcher } from './route-source.ts';
export type { RouteSource } from './route-source.ts';
export { publishSubjects, subscribeSubjects, downlinkSubjects, mqttTopicProblem, MQTT_QOS_HEADER, MQTT_STORE_PREFIX, MQTT_STORE_STREAM, SITE_INTERNAL_USER, DOWNLINK_USER } from './device-access.ts';
export type { DeviceAccess, DeviceClient, DeviceClientsMsg, DeviceIncident, DeviceIncidentsMsg, DeviceListener, DeviceLoginMsg, DevicePrincipal, DeviceTls } from './device-access.ts';
export type { RoutedMessage } from './routed-message.ts';
export type { ActorAddress } from './address.ts';
export { Subjects, Streams, Consumers, Buckets, Headers, KvLayout, ObjectStoreLayout, NodeHostSubjects } from './subjects.ts';
export { ENVELOPE_VERSION, EnvelopeTypes, encodeEnvelope, decodeEnvelope, encodeValue, decodeValue } from './envelope.ts';
export type { Envelope, ErrorBody } from './envelope.ts';
export { ControlVerbs } from './control.ts';
export type { ControlVerb, ActorStatus, ActorInfo, PsReply, TreeNode, TreeReply, NodeRecord, ActorEvent, LogsReply, OutputLine } from './control.ts';
export { HOST_PROTOCOL_VERSION, MAX_FRAME_BYTES, FrameDecoder, encodeFrame } from './host-protocol.ts';
export type { NodeFrame, GuestFrame, GuestSend } from './host-protocol.ts';
export {
  NODE_HOST_PROTOCOL_VERSION,
  LEADER_PING_INTERVAL_MS,
  LEADER_SILENCE_TIMEOUT_MS,
  encodeNodeHostMessage,
  decodeHostRequest,
  decodeHostReply,
  decodeLeaderMessage,
  decodeHostedGuestMessage,
} from './node-host-protocol.ts';
export type { HostRequest, HostReply, HostedSpec, HostedUsage, LeaderMessage, HostedGuestMessage } from './node-host-protocol.ts';
export { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MISSED_HEARTBEATS, DEFAULT_NODE_TIMEOUT_MS, isNodeAlive } from './node-liveness.ts';
export {
  MIN_NATS_SERVER_VERSION,
  PINNED_NATS_SERVER_VERSION,
  PINNED_NATS_CLI_VERSION,
  NATS_SERVER_INSTALL_COMMAND,
  NATS_SERVER_DOWNLOADS,
  parseVersion,
  versionAtLeast,
  tooOldMessage,
} from './nats-server-requirements.ts';
