import { Type } from '@sinclair/typebox';
import type { Static, TUnsafe } from '@sinclair/typebox';
import { NAME_PATTERN, RESTART_TYPES } from '../../protocols/index.ts';
import { ManifestLimits } from './manifest-limits.ts';
import type { RestartType } from '../../protocols/index.ts';
import type { RestartBackoff } from '../../supervisor-trees/index.ts';

export { RESTART_TYPES };
export type { RestartType };

/*
 * The application manifest, defined once. TypeScript types are `Static<>` of these schemas, the
 * published JSON Schema (cairn-application.schema.json) is generated from them, and defaults are
 * the `default` keywords below, applied by `Value.Default` after validation. Every object rejects
 * unknown fields, so a typo is an error rather than a silently ignored setting.
 */

export const API_VERSION = 'cairn.dev/v1';
export const KIND = 'Application';

/** A string enum as a plain JSON Schema `enum` (TypeBox unions of literals become noisy anyOfs). */
function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

function Strict<T extends Parameters<typeof Type.Object>[0]>(properties: T, options: { description?: string; default?: unknown; minProperties?: number; maxProperties?: number } = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** NATS-token-safe name: application names, actor ids, site names, label keys. */
export const NameSchema = Type.String({
  pattern: NAME_PATTERN.source,
  description: '1-128 characters from [A-Za-z0-9_-], starting with a letter or digit (a NATS subject token).',
});

export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
export const EXPORT_NAME_PATTERN = '^[A-Za-z_$][A-Za-z0-9_$]*$';
/** A name in an actor's `files`: an identifier-like key (it becomes `ctx.config.files.<name>`). */
export const FILE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';
/** `host:container` or `host:container:ro|rw`, as Docker's HostConfig.Binds. */
export const BIND_PATTERN = '^[^:\\s]+:[^:\\s]+(:(ro|rw))?$';

const LabelMap = Type.Record(NameSchema, Type.String({ maxLength: 256 }), {
  additionalProperties: false,
  description: 'Label key (a name) to string value.',
});

export const RESTART_STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one'] as const;
export const ACTOR_MODES = ['inline', 'worker', 'process', 'container'] as const;
export const SPREADS = ['none', 'one-per-site', 'one-per-node'] as const;

export const MetadataSchema = Strict({
  name: NameSchema,
  labels: Type.Optional(LabelMap),
  annotations: Type.Optional(
    Type.Record(Type.String({ minLength: 1 }), Type.String(), {
      additionalProperties: false,
      description: 'Free-form notes for tools and people; never interpreted by Cairn.',
    }),
  ),
});

export const BackoffSchema = Strict(
  {
    /** @default 100 */
    initialMs: Type.Optional(Type.Integer({ minimum: 0, maximum: ManifestLimits.timerMs, default: 100, description: 'Delay before the first restart.' })),
    /** @default 30000 */
    maxMs: Type.Optional(Type.Integer({ minimum: 0, maximum: ManifestLimits.timerMs, default: 30_000, description: 'Upper bound of the delay.' })),
    /** @default 2 */
    multiplier: Type.Optional(Type.Number({ minimum: 1, maximum: ManifestLimits.multiplier, default: 2, description: 'Factor applied after each restart.' })),
    /** @default 60000 */
    resetAfterMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: ManifestLimits.timerMs, default: 60_000, description: 'Running this long without a crash resets the delay.' }),
    ),
  },
  { description: 'Delay between restarts. Absent: restart at once, as OTP does.' },
);

export const SupervisorSchema = Strict(
  {
    /** @default 'one_for_one' */
    strategy: Type.Optional(StringEnum(RESTART_STRATEGIES, { default: 'one_for_one' })),
    /** @default 3 */
    intensity: Type.Optional(
      Type.Integer({ minimum: 0, maximum: ManifestLimits.intensity, default: 3, description: 'Restarts allowed within periodMs before the supervisor gives up and escalates.' }),
    ),
    /** @default 5000 */
    periodMs: Type.Optional(Type.Integer({ minimum: 1, maximum: ManifestLimits.timerMs, default: 5_000, description: 'Sliding window for intensity.' })),
    backoff: Type.Optional(BackoffSchema),
  },
  { default: {}, description: 'The application supervisor, parent of every actor.' },
);

export const BehaviourSchema = Strict({
  module: Type.String({
    minLength: 1,
    description: 'Module path (relative to the manifest file) or package name exporting the actor definition.',
  }),
  /** @default 'default' */
  export: Type.Optional(Type.String({ pattern: EXPORT_NAME_PATTERN, default: 'default', description: 'Export name in the module.' })),
});

export const PlacementSchema = Strict(
  {
    sites: Type.Optional(Type.Array(NameSchema, { minItems: 1, uniqueItems: true, description: 'Sites allowed to run the actor. Absent: any site.' })),
    nodeSelector: Type.Optional(LabelMap),
    /** @default 'none' */
    spread: Type.Optional(
      StringEnum(SPREADS, {
        default: 'none',
        description: 'none: pack replicas on the least-loaded nodes; one-per-site: one replica on each target site (replicas ignored); one-per-node: at most one replica per node.',
      }),
    ),
  },
  { default: {} },
);

export const ResourcesSchema = Strict({
  cpu: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: ManifestLimits.cpu, description: 'CPU cores (0.5 = half a core).' })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 1, maximum: ManifestLimits.memoryMb, description: 'Memory in MiB.' })),
  pids: Type.Optional(Type.Integer({ minimum: 1, maximum: ManifestLimits.pids, description: 'Maximum processes/threads (containers).' })),
});

export const ContainerBuildSchema = Strict({
  context: Type.String({ minLength: 1, description: 'Build context directory, relative to the manifest file.' }),
  /** @default 'Dockerfile' */
  dockerfile: Type.Optional(Type.String({ minLength: 1, default: 'Dockerfile', description: 'Relative to the context.' })),
});

export const ContainerSchema = Strict({
  image: Type.Optional(Type.String({ minLength: 1, description: 'Image reference, e.g. ghcr.io/acme/detector:1.4.' })),
  imageId: Type.Optional(
    Type.String({
      pattern: '^sha256:[0-9a-f]{64}$',
      description: "The image's id (sha256:<hex>). cairn apply sets it when it delivers an image that exists only on the applying machine; a site whose engine lacks that id loads the image from the cloud's artifacts. Written by hand: the image must be that one.",
    }),
  ),
  build: Type.Optional(ContainerBuildSchema),
  binds: Type.Optional(Type.Array(Type.String({ pattern: BIND_PATTERN }), { description: 'host:container[:ro|rw] mounts.' })),
  network: Type.Optional(Type.String({ minLength: 1, description: 'Docker network to attach to.' })),
});

export const ProgramSchema = Strict(
  {
  command: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    maxItems: 64,
    description: "The program and its arguments, e.g. [python3, counter.py]. It runs with `dir` as its working directory and speaks Cairn's host protocol on stdin/stdout (docs/execution-modes.md). A bare name is looked up on PATH; ./name is in dir.",
  }),
  dir: Type.Optional(
    Type.String({
      minLength: 1,
      description: "The folder holding the program's files, relative to the manifest. cairn apply delivers it whole (one archive, sent in content-defined chunks; left out: __pycache__, .pyc files, .git and what its .cairnignore names); each node runs the program in its cached copy, which it treats as read-only. Absent: the command must exist on every node that runs the actor.",
    }),
  ),
  },
  { description: 'A program in any language (Python, a native binary) instead of a behaviour or module: it speaks the host protocol, in mode process or container.' },
);

export const MailboxSchema = Strict(
  {
    /** @default the behaviour's retry.maxAttempts (DEFAULT_RETRY: 3) */
    maxAttempts: Type.Optional(
      Type.Integer({ minimum: 1, maximum: ManifestLimits.maxAttempts, description: "Deliveries of one message before it goes to the dead-letter stream. Default: the behaviour's retry.maxAttempts (3 unless its definition says otherwise)." }),
    ),
    /** @default none: only the site's limit (the node option mailbox.capacity) */
    capacity: Type.Optional(
      Type.Integer({ minimum: 1, maximum: ManifestLimits.capacity, description: "Messages that may wait for one instance besides the one it handles; one arriving beyond them goes to the dead letters (CAIRN_MAILBOX_OVERFLOW). Default: only the site's limit." }),
    ),
  },
  { default: {} },
);

export const ActorSchema = Strict({
  id: NameSchema,
  behaviour: Type.Optional(BehaviourSchema),
  module: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A module instead of a behaviour: cairn/<name> for a built-in one, else a path (relative to the manifest) or package name exporting a defineModule result. Its schema checks config.',
    }),
  ),
  program: Type.Optional(ProgramSchema),
  /** @default 'inline' */
  mode: Type.Optional(StringEnum(ACTOR_MODES, { default: 'inline' })),
  /** @default {} */
  config: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Passed to the behaviour as is.' }),
  ),
  /** @default {} */
  env: Type.Optional(
    Type.Record(Type.String({ pattern: ENV_NAME_PATTERN }), Type.String(), {
      additionalProperties: false,
      default: {},
      description: 'Environment variables (worker, process and container modes).',
    }),
  ),
  /** @default 1 */
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: ManifestLimits.replicas, default: 1, description: 'Copies to run; ignored with spread one-per-site.' })),
  /** @default 'permanent' */
  restart: Type.Optional(StringEnum(RESTART_TYPES, { default: 'permanent' })),
  /** @default 5000 */
  shutdownMs: Type.Optional(Type.Integer({ minimum: 0, maximum: ManifestLimits.timerMs, default: 5_000, description: 'Grace period between stop and kill.' })),
  placement: Type.Optional(PlacementSchema),
  resources: Type.Optional(ResourcesSchema),
  /** @default false */
  persist: Type.Optional(Type.Boolean({ default: false, description: 'Keep actor state in JetStream KV across restarts.' })),
  container: Type.Optional(ContainerSchema),
  mailbox: Type.Optional(MailboxSchema),
  files: Type.Optional(
    Type.Record(Type.String({ pattern: FILE_NAME_PATTERN }), Type.String({ minLength: 1 }), {
      additionalProperties: false,
      maxProperties: 64,
      description: "Files the actor needs (a model, a config file), by name: a path relative to the manifest. cairn apply delivers each to the sites (content-defined chunks: a new version sends what changed); the actor finds each at ctx.config.files.<name>, the file's path on its node.",
    }),
  ),
});

export const RouteSchema = Strict({
  from: Strict(
    {
      mqtt: Type.Optional(Type.String({ minLength: 1, description: 'MQTT topic filter (+ and # wildcards).' })),
      subject: Type.Optional(Type.String({ minLength: 1, description: 'NATS subject (* and > wildcards).' })),
    },
    { minProperties: 1, maxProperties: 1, description: 'Exactly one of mqtt or subject.' },
  ),
  to: Strict({ actor: NameSchema }),
});

export const SpecSchema = Strict({
  supervisor: Type.Optional(SupervisorSchema),
  actors: Type.Array(ActorSchema, { minItems: 1 }),
  /** @default [] */
  routes: Type.Optional(Type.Array(RouteSchema, { default: [] })),
});

export const ApplicationSchema = Strict(
  {
    apiVersion: Type.Literal(API_VERSION),
    kind: Type.Literal(KIND),
    metadata: MetadataSchema,
    spec: SpecSchema,
  },
  { description: 'A Cairn application: its actors, their supervision, placement and routes.' },
);

/** The manifest as written: optional fields may be absent. */
export type ApplicationManifest = Static<typeof ApplicationSchema>;
export type ActorManifest = Static<typeof ActorSchema>;
export type RouteManifest = Static<typeof RouteSchema>;

/** Makes `K` present (defaults applied). */
type Defaulted<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };

export type Behaviour = Defaulted<Static<typeof BehaviourSchema>, 'export'>;
export type Placement = Defaulted<Static<typeof PlacementSchema>, 'spread'>;
export type Mailbox = Required<Static<typeof MailboxSchema>>;
/** A supervisor's restart backoff, defaults applied: the supervisor layer's own type. */
export type { RestartBackoff };
/** `key` is no manifest field: a site sets it to a delivered context's digest, so a changed context builds its image again. */
export type ContainerBuild = Defaulted<Static<typeof ContainerBuildSchema>, 'dockerfile'> & { readonly key?: string };
export type Container = Omit<Static<typeof ContainerSchema>, 'build'> & { build?: ContainerBuild };
export type Program = Static<typeof ProgramSchema>;
export type Resources = Static<typeof ResourcesSchema>;
export type Supervisor = Defaulted<Omit<Static<typeof SupervisorSchema>, 'backoff'>, 'strategy' | 'intensity' | 'periodMs'> & {
  backoff?: RestartBackoff;
};
export type Route = RouteManifest;

/** One actor after defaults: every field with a default is present; exactly one of behaviour, module and program. */
export type Actor = Defaulted<
  Omit<ActorManifest, 'behaviour' | 'module' | 'program' | 'placement' | 'mailbox' | 'container'>,
  'mode' | 'config' | 'env' | 'replicas' | 'restart' | 'shutdownMs' | 'persist'
> & { placement: Placement; mailbox: Mailbox; container?: Container } & (
    | { behaviour: Behaviour; module?: undefined; program?: undefined }
    | { module: string; behaviour?: undefined; program?: undefined }
    | { program: Program; behaviour?: undefined; module?: undefined }
  );

/** A validated application with defaults applied: what parseManifest returns. */
export type Application = Omit<ApplicationManifest, 'spec'> & {
  spec: { supervisor: Supervisor; actors: Actor[]; routes: Route[] };
};

export type ActorMode = (typeof ACTOR_MODES)[number];
export type RestartStrategy = (typeof RESTART_STRATEGIES)[number];
export type Spread = (typeof SPREADS)[number];
