import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes raised by protocols/ and kernel/. */
export const KernelCodes = {
  INVALID_ACTOR_ID: 'CAIRN_INVALID_ACTOR_ID',
  INVALID_ADDRESS: 'CAIRN_INVALID_ADDRESS',
  UNDECODABLE: 'CAIRN_UNDECODABLE',
  HANDLER_FAILED: 'CAIRN_HANDLER_FAILED',
  ACTOR_NOT_FOUND: 'CAIRN_ACTOR_NOT_FOUND',
  ACTOR_ALREADY_RUNNING: 'CAIRN_ACTOR_ALREADY_RUNNING',
  ASK_TIMEOUT: 'CAIRN_ASK_TIMEOUT',
  MESSAGE_EXPIRED: 'CAIRN_MESSAGE_EXPIRED',
  ABORTED: 'CAIRN_ABORTED',
  MAILBOX_FULL: 'CAIRN_MAILBOX_FULL',
  MAILBOX_OVERFLOW: 'CAIRN_MAILBOX_OVERFLOW',
  FORWARD_REFUSED: 'CAIRN_FORWARD_REFUSED',
  SEND_FAILED: 'CAIRN_SEND_FAILED',
  DEAD_LETTER_FAILED: 'CAIRN_DEAD_LETTER_FAILED',
  STATE_SAVE_FAILED: 'CAIRN_STATE_SAVE_FAILED',
  DEAD_LETTER_PAYLOAD_OMITTED: 'CAIRN_DEAD_LETTER_PAYLOAD_OMITTED',
  SYSTEM_NOT_RUNNING: 'CAIRN_SYSTEM_NOT_RUNNING',
  STATE_UNREADABLE: 'CAIRN_STATE_UNREADABLE',
  REMOTE_ERROR: 'CAIRN_REMOTE_ERROR',
  NATS_UNREACHABLE: 'CAIRN_NATS_UNREACHABLE',
  JETSTREAM_UNAVAILABLE: 'CAIRN_JETSTREAM_UNAVAILABLE',
  NATS_SERVER_TOO_OLD: 'CAIRN_NATS_SERVER_TOO_OLD',
  INVALID_OPTION: 'CAIRN_INVALID_OPTION',
  RUNTIME_UNAVAILABLE: 'CAIRN_RUNTIME_UNAVAILABLE',
  GUEST_START_FAILED: 'CAIRN_GUEST_START_FAILED',
  GUEST_EXITED: 'CAIRN_GUEST_EXITED',
  GUEST_OOM: 'CAIRN_GUEST_OOM',
  UNSUPPORTED_IN_MODE: 'CAIRN_UNSUPPORTED_IN_MODE',
  LEASE_LOST: 'CAIRN_LEASE_LOST',
  NODE_UNREACHABLE: 'CAIRN_NODE_UNREACHABLE',
  NODE_LOST: 'CAIRN_NODE_LOST',
  NODE_ID_IN_USE: 'CAIRN_NODE_ID_IN_USE',
} as const;
export type KernelCode = (typeof KernelCodes)[keyof typeof KernelCodes];

export const kernelCodeEntries: readonly ErrorCodeEntry[] = [
  {
    code: KernelCodes.INVALID_ACTOR_ID,
    summary: 'An actor id, site name, node id or application name is not a valid NATS subject token.',
    fix: 'Use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit.',
  },
  {
    code: KernelCodes.INVALID_ADDRESS,
    summary: 'An actor address is not of the form "<site>/<actor>".',
    fix: 'Write the address as site and actor id separated by one slash, e.g. "local/counter".',
  },
  {
    code: KernelCodes.UNDECODABLE,
    summary: 'A mailbox message is not a valid v1 MessagePack envelope; it was moved to the dead-letter stream.',
    fix: 'Encode messages as described in protocols/README.md; inspect the message with `cairn dlq ls`.',
  },
  {
    code: KernelCodes.HANDLER_FAILED,
    summary: "An actor's handler threw on every attempt; the message was moved to the dead-letter stream. The reason is the handler's error as `Name [CODE]: message` (its code when it has one, e.g. `CairnError [CAIRN_HUB_NOT_CONNECTED]: …`).",
    fix: 'Read the error with `cairn dlq ls`, fix the handler or the message, then `cairn dlq replay`.',
  },
  {
    code: KernelCodes.ACTOR_NOT_FOUND,
    summary: 'No actor with this id was running on the site within the orphan timeout; the message was dead-lettered.',
    fix: 'Spawn the actor (or apply its manifest) and replay the message with `cairn dlq replay`.',
  },
  {
    code: KernelCodes.ACTOR_ALREADY_RUNNING,
    summary: 'spawn() was called with an id that is already running on this node.',
    fix: 'Use another id, stop the running actor first, or get a ref to it with system.ref().',
  },
  {
    code: KernelCodes.ASK_TIMEOUT,
    summary: 'No reply arrived within the ask timeout. The request is dropped unhandled once its ttl (the timeout unless the ask gave a longer ttl) has passed since it was stored; until then it may still be handled.',
    fix: 'Raise the timeout, check the actor runs (`cairn ps`), or use tell if no reply is needed.',
  },
  {
    code: KernelCodes.MESSAGE_EXPIRED,
    summary: 'A message waited longer than its time to live (`ttl`; for an ask, its timeout by default) and was dropped unhandled; an ask still waiting gets this as its error.',
    fix: 'Give the message a longer ttl, or find out why the actor is slow or down (`cairn ps`, `cairn logs`); the sender decided the message is worthless after its ttl.',
  },
  {
    code: KernelCodes.ABORTED,
    summary: 'The operation was cancelled through its AbortSignal.',
    fix: 'Nothing to fix; the caller asked for it.',
  },
  {
    code: KernelCodes.MAILBOX_FULL,
    summary: "The target actor's mailbox stayed at capacity for the whole tell timeout (backpressure).",
    fix: 'Slow the sender, raise mailbox.capacity, or check why the actor is not consuming (`cairn ps`).',
  },
  {
    code: KernelCodes.MAILBOX_OVERFLOW,
    summary: "A message reached its actor while the actor already held its mailbox.capacity (the one being handled plus capacity waiting); it went to the site's dead letters, not into the queue.",
    fix: "Raise the actor's mailbox.capacity, slow its senders, or find out why it is slow (`cairn ps`); replay what overflowed with `cairn dlq replay`.",
  },
  {
    code: KernelCodes.FORWARD_REFUSED,
    summary: "A message from another site was refused by this site's mailbox stream for good (not because the mailbox was full: for example larger than this site's server takes); it went to this site's dead letters instead.",
    fix: 'Read the reason with `cairn dlq ls`; align the limits of the two sites\' servers (max_payload) or send smaller messages, then `cairn dlq replay`.',
  },
  {
    code: KernelCodes.DEAD_LETTER_FAILED,
    summary: "A message that failed its last attempt could not be stored in the site's dead-letter stream (the stream refuses writes: full, gone, or the server is unreachable). The node keeps it, retries the copy with backoff, and keeps serving its other actors.",
    fix: 'Make room in the dead-letter stream (`cairn dlq ls`, `cairn dlq purge`) or check the site server; the copy is retried until it is stored.',
  },
  {
    code: KernelCodes.STATE_SAVE_FAILED,
    summary: "A persisted actor's new state could not be saved in the site's state bucket (gone, full, or the server unreachable). The message stays unacked; the node retries the save with backoff and keeps serving its other actors.",
    fix: 'Check the state bucket (`nats kv ls`, `nats stream info KV_cairn_state_<site>`) and the site server; the save is retried until it is stored.',
  },
  {
    code: KernelCodes.DEAD_LETTER_PAYLOAD_OMITTED,
    summary: 'A dead letter was stored without its payload (the original plus the dead-letter headers was over the server\'s max_payload), so it cannot be replayed.',
    fix: 'Read its reason and size with `cairn dlq ls`, fix the sender, and purge it with `cairn dlq purge <seq>`.',
  },
  {
    code: KernelCodes.SEND_FAILED,
    summary: 'JetStream did not confirm storing a tell or ask: no ack in time (server slow, restarting or unreachable) or the stream refused it (its limits, its storage).',
    fix: 'Check the site server (`cairn nodes`, its log) and JetStream limits, then send again; with the same `id` a message stored after all is not stored twice.',
  },
  {
    code: KernelCodes.SYSTEM_NOT_RUNNING,
    summary: 'The actor system was used before start() or after shutdown().',
    fix: 'Await system.start() before spawning or sending, and do not use it after shutdown().',
  },
  {
    code: KernelCodes.STATE_UNREADABLE,
    summary: "A persisted actor state in KV could not be decoded, so the actor could not start.",
    fix: 'Inspect the key in the cairn_state_<site> bucket; delete it to start from the initial state.',
  },
  {
    code: KernelCodes.REMOTE_ERROR,
    summary: 'The asked actor failed to handle the message; its error code and message are attached.',
    fix: 'See the remote error; the message was retried and may be in the dead-letter stream.',
  },
  {
    code: KernelCodes.NATS_UNREACHABLE,
    summary: 'No NATS server answered at the configured address.',
    fix: 'Start the site (`cairn up` or `cairn site up`) or pass the right --server URL.',
  },
  {
    code: KernelCodes.NATS_SERVER_TOO_OLD,
    summary: 'The nats-server found (or connected to) is older than the minimum Cairn runs on (2.15.0: leaf no_advertise, the consumer reset API, per-message TTL, sync_interval).',
    fix: 'Install the pinned server with `npx cairn server install` (builds it with Go), or download a release from https://github.com/nats-io/nats-server/releases and set NATS_SERVER.',
  },
  {
    code: KernelCodes.JETSTREAM_UNAVAILABLE,
    summary: 'The NATS server has no JetStream (or not in the requested domain).',
    fix: 'Enable JetStream in the server config (`jetstream { store_dir: ... }`) or use `cairn up`.',
  },
  {
    code: KernelCodes.INVALID_OPTION,
    summary: 'An option passed to the SDK has a bad value.',
    fix: 'See the message for the option, the value given and the allowed range.',
  },
  {
    code: KernelCodes.RUNTIME_UNAVAILABLE,
    summary: 'An actor asked for a runtime mode (worker, process, container) this node has no launcher for.',
    fix: 'Register the launcher on the node (the CLI and createActorSystem register worker and process; container needs a Docker engine), or use another mode.',
  },
  {
    code: KernelCodes.GUEST_START_FAILED,
    summary: "An actor's guest (worker, process or container) could not be started or failed its init.",
    fix: 'Read the message and the guest output (`cairn logs <actor>`); check the command, module or image exists.',
  },
  {
    code: KernelCodes.GUEST_EXITED,
    summary: "An actor's guest exited or was killed; its supervisor was told and restarts it per its restart policy.",
    fix: 'Read the exit code or signal in the message and the guest output (`cairn logs <actor>`).',
  },
  {
    code: KernelCodes.GUEST_OOM,
    summary: "An actor's container was killed for exceeding its memory limit (OOMKilled).",
    fix: 'Raise resources.memoryMb in the manifest or make the actor use less memory.',
  },
  {
    code: KernelCodes.UNSUPPORTED_IN_MODE,
    summary: 'The actor used a context operation its runtime mode does not offer (e.g. spawn from a process guest).',
    fix: 'Do it from an inline actor, or send a message to one that does it.',
  },
  {
    code: KernelCodes.LEASE_LOST,
    summary: "Another node took over the site's lease (this leader was cut off or paused for longer than the lease ttl), or this node's NATS connection closed for good; it stopped its actors so that they never run twice.",
    fix: 'Nothing, when a standby took over: restart the node (systemd, Docker restart policy) and it becomes the new standby. Otherwise check its link to the nats-server.',
  },
  {
    code: KernelCodes.NODE_UNREACHABLE,
    summary: "The site's leader asked another node of the site to start an actor's guest and got no answer (no node host service listens there, or none answered within the start timeout).",
    fix: 'Check that the node runs and is connected (`cairn nodes`); raise startTimeoutMs if its guests are slow to start (a container image build).',
  },
  {
    code: KernelCodes.NODE_LOST,
    summary: "The node running an actor's guest for the site's leader stopped being alive, is stopping, or its connection was interrupted (frames may have been lost); the guest counts as crashed.",
    fix: 'Check the node and its link (`cairn nodes`); the supervisor restarts the actor per its restart policy.',
  },
  {
    code: KernelCodes.NODE_ID_IN_USE,
    summary: "Another running process is a node of the site under the same id (its registry record keeps being renewed). Two processes never share a node id: the second would take the first's lease, mailbox consumer and control endpoints.",
    fix: 'Stop the other process, or give this node its own id (`--node`, `NodeOptions.node`); without an id a node takes the host name, or the host name and its pid when that is taken.',
  },
];
