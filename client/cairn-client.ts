import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { DEFAULT_SERVERS, DeadLetterAdmin, SiteSender, assertPositiveOptions, openSiteConnection, readNodeRegistry, systemClock } from '../kernel/index.ts';
import type { ActorRef, AskOptions, Clock, DeadLetter, ListOptions, Message, ModuleDefinition, RegisteredNode, SiteConnection, TellOptions } from '../kernel/index.ts';
import type { AppArtifact, DeliveredFile, DeliveredImage, AppDetails, AppDiff, AppStatus, AppStore, AppSummary, ApplyResult, Application, Diagnostic, RollbackResult, StoredArtifact } from '../control-plane/index.ts';
import { Buckets, CairnError, ControlVerbs, DeployCodes, ManifestCodes, Subjects, assertName, decodeValue, encodeValue, isNodeAlive } from '../protocols/index.ts';
import type { ActorInfo, ControlVerb, LogsReply, PsReply, TreeReply } from '../protocols/index.ts';
import { collectReplies } from './node-query.ts';
import type { NodeQuery } from './node-query.ts';
import { checkActor } from './actor-check.ts';
import { registrySites, siteOfServer, streamNames } from './site-of-server.ts';
import type { ActorCheck } from './actor-check.ts';
import { summarizeSites } from './site-summary.ts';
import type { SiteSummary } from './site-summary.ts';
import { deadLetterCall, isNoMessage } from './dead-letter-call.ts';
import { FollowedOutput } from './followed-output.ts';

/**
 * The control plane (manifest parsing and validation, the apps bucket), loaded on first use: it
 * brings TypeBox, Ajv and YAML, which a command such as `cairn ps` never needs.
 */
const controlPlane = (): Promise<typeof import('../control-plane/index.ts')> => import('../control-plane/index.ts');

/** Where a manifest comes from: its name in messages, the folder its modules resolve against, modules given in code. */
export interface ManifestSourceOptions {
  readonly source?: string;
  readonly appDir?: string;
  readonly modules?: readonly ModuleDefinition[];
}

/**
 * Validates a manifest as the sites will and turns its local behaviour files into artifacts (the
 * application then references digests, not this machine's paths); ManifestError
 * (CAIRN_MANIFEST_INVALID) with every problem, a file that is missing or does not build included.
 */
async function validateManifest(manifest: string, source: string, opts: ManifestSourceOptions): Promise<ValidatedManifest> {
  const { parseManifest, parseManifestWithModules, packageBehaviours, packageFiles, packageFolders, packageImages, localDocker, ManifestError, formatDiagnostics } = await controlPlane();
  const baseDir = opts.appDir ?? process.cwd();
  const invalid = (errors: readonly Diagnostic[], warnings: readonly Diagnostic[]): never => {
    const all = [...errors, ...warnings];
    throw new ManifestError(ManifestCodes.INVALID, `manifest ${source} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${formatDiagnostics(all, { positions: true, source })}`, { diagnostics: all, source });
  };
  const parsed = await parseManifestWithModules(manifest, source, baseDir, undefined, opts.modules ?? []);
  if (!parsed.ok) return invalid(parsed.errors, parsed.warnings);
  const packaged = await packageBehaviours(parsed.app, baseDir);
  const withFiles = await packageFiles(packaged.app, baseDir);
  // Programs' folders and build contexts travel as archives, written to temporary files.
  const withFolders = await packageFolders(withFiles.app, baseDir);
  try {
    const problems = [...packaged.problems, ...withFiles.problems, ...withFolders.problems];
    if (problems.length > 0) {
      // Parsed again with the file problems, so that they carry their line in the manifest.
      const again = parseManifest(manifest, source, { fileProblems: problems });
      return invalid(again.ok ? [] : again.errors, parsed.warnings);
    }
    // Container images that exist only here travel too (container.imageId pins each).
    const withImages = await packageImages(withFolders.app, localDocker);
    return { app: withImages.app, warnings: parsed.warnings, artifacts: packaged.artifacts, images: withImages.images, files: [...withFiles.files, ...withFolders.files], release: withFolders.release };
  } catch (err) {
    await withFolders.release();
    throw err;
  }
}

/** A manifest ready to store: the application referencing digests, and what to store. `release` removes the folders' temporary archives. */
interface ValidatedManifest {
  readonly app: Application;
  readonly warnings: readonly Diagnostic[];
  readonly artifacts: readonly AppArtifact[];
  readonly images: readonly DeliveredImage[];
  readonly files: readonly DeliveredFile[];
  release(): Promise<void>;
}

/** What `apply` did with one artifact of the application. */
export type AppliedArtifact = NonNullable<ApplyResult['artifacts']>[number];

/** One line of `cairn artifacts ls`: a stored artifact and the revisions (`app@revision`) that use it. */
export interface ArtifactUse extends StoredArtifact {
  readonly usedBy: readonly string[];
}

export interface ClientOptions {
  /** NATS URL(s) of the site's server. @default "nats://127.0.0.1:4222" */
  readonly servers?: string | string[];
  /** An existing connection to use instead of `servers`; `close` leaves it open. */
  readonly connection?: NatsConnection;
  /**
   * The site the server belongs to. @default the server's own: its JetStream domain when that
   * site's node registry is there, else the only site whose registry it holds, else "local"
   */
  readonly site?: string;
  /** JetStream domain of the cloud site, when connected to an edge: applications are stored in the cloud, through the edge's leaf link. */
  readonly cloudDomain?: string;
  /** How the client signs what it sends (`<site>/~<name>`) and names its connection. @default "client-<pid>" */
  readonly name?: string;
  /** How long to wait for each node's answer (listActors, listTrees, actorLogs), in ms. @default 2000 */
  readonly replyTimeoutMs?: number;
  readonly clock?: Clock;
}

/** A site's report of one application, or `reachable: false` when the site could not be asked. */
export interface SiteAppStatus {
  readonly site: string;
  readonly status: AppStatus | undefined;
  readonly reachable: boolean;
}

/** How long a site's status bucket is waited for, per site. */
const STATUS_TIMEOUT_MS = 1_500;
export const DEFAULT_REPLY_TIMEOUT_MS = 2_000;

/**
 * A connection to a running Cairn site from outside it: what the `cairn` CLI, a dashboard or a test
 * uses. It hosts no actors and registers nowhere. It lists sites, nodes, actors, trees and
 * applications; applies, deletes and rolls back applications; tells and asks actors; and manages
 * dead letters. Every failure is a CairnError with a registered code.
 */
export class CairnClient {
  readonly site: string;
  readonly server: string;
  private readonly messenger: SiteSender;
  private readonly stores = new Map<boolean, Promise<AppStore>>();
  private readonly replyTimeoutMs: number;

  private constructor(
    private readonly conn: SiteConnection,
    private readonly opts: ClientOptions,
    private readonly clock: Clock,
  ) {
    this.site = opts.site ?? 'local';
    this.server = String(opts.servers ?? DEFAULT_SERVERS);
    this.replyTimeoutMs = opts.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.messenger = new SiteSender(conn.nc, this.site, `${this.site}/~${opts.name ?? `client-${process.pid}`}`, clock);
  }

  /** Connects and checks the server (version, JetStream): CAIRN_NATS_UNREACHABLE, CAIRN_NATS_SERVER_TOO_OLD or CAIRN_JETSTREAM_UNAVAILABLE otherwise. */
  static async connect(opts: ClientOptions = {}): Promise<CairnClient> {
    if (opts.site !== undefined) assertName(opts.site, 'site name');
    if (opts.name !== undefined) assertName(opts.name, 'client name');
    assertPositiveOptions('client options', { replyTimeoutMs: opts.replyTimeoutMs });
    const conn = await openSiteConnection({
      ...(opts.servers === undefined ? {} : { servers: opts.servers }),
      ...(opts.connection === undefined ? {} : { connection: opts.connection }),
      name: `cairn-client-${opts.site ?? 'site'}`,
    });
    // Not given: the site the server belongs to (its domain, or the one node registry it holds).
    const site = opts.site ?? (await siteOfServer(conn.jsm)) ?? 'local';
    return new CairnClient(conn, { ...opts, site }, opts.clock ?? systemClock);
  }

  /** The NATS connection, for what the client does not cover. */
  get nc(): NatsConnection {
    return this.conn.nc;
  }

  // --- Messages -----------------------------------------------------------------------------

  /** A ref to actor `id` of `site` (default: the connected site). Messages to another site go through this site's outbox. */
  ref<M extends Message = Message>(id: string, site?: string): ActorRef<M> {
    return this.messenger.ref<M>(id, site);
  }

  /** Resolves once the target's mailbox (or this site's outbox) stored the message. */
  tell<M extends Message>(actor: string, msg: M, opts?: TellOptions & { readonly site?: string }): Promise<void> {
    return this.ref(actor, opts?.site).tell(msg, opts);
  }

  /** Resolves with the actor's reply (for typed replies, use `ref<M>(actor).ask`). */
  ask<R = unknown, M extends Message = Message>(actor: string, msg: M, opts?: AskOptions & { readonly site?: string }): Promise<R> {
    return this.ref(actor, opts?.site).ask(msg, opts) as Promise<R>;
  }

  // --- The fleet ----------------------------------------------------------------------------

  /** Every node this site knows (its own and, on a site with peers such as the cloud, theirs), live or not, sorted by site and id. */
  async listNodes(): Promise<RegisteredNode[]> {
    const records = await readNodeRegistry(this.conn.jsm, this.site, this.clock.now());
    if (records.length === 0) {
      const bucket = Buckets.nodes(this.site);
      try {
        await (await new Kvm(this.conn.js).open(bucket)).status();
      } catch (cause) {
        const sites = registrySites(await streamNames(this.conn.jsm).catch(() => []));
        const known = sites.length > 0 ? `; this server holds the node registry of ${sites.map((x) => `"${x}"`).join(', ')}: pass --site` : '';
        throw new CairnError(DeployCodes.CLI_NO_NODES, `no node has ever registered on site "${this.site}" at ${this.server} (bucket ${bucket} is missing)${known}; start one with \`cairn up\`, or pass the right server URL and site (--server / --site)`, { cause, details: { site: this.site, server: this.server, sites } });
      }
    }
    return records;
  }

  /** The sites the registered nodes belong to, with how many are live. */
  async listSites(): Promise<SiteSummary[]> {
    return summarizeSites(await this.listNodes(), this.clock.now());
  }

  /** The actors of every live node, sorted by node and id. */
  async listActors(): Promise<NodeQuery<ActorInfo>> {
    const q = await this.askLiveNodes<PsReply>(ControlVerbs.ps);
    return { ...q, results: q.results.flatMap((r) => r.actors).sort((a, b) => a.node.localeCompare(b.node) || a.id.localeCompare(b.id)) };
  }

  /**
   * Whether actor `actor` of `site` (default: the connected site) runs now, as its live nodes say:
   * what `cairn tell` and `cairn ask` check before sending (a message to an id nobody runs waits
   * for the orphan timeout, then goes to the dead letters). See checkActor for the answers.
   */
  async checkActor(actor: string, site: string = this.site): Promise<ActorCheck> {
    assertName(actor, 'actor id');
    return checkActor(actor, site, await this.listActors());
  }

  /** The supervisor tree of every live node, sorted by node. */
  async listTrees(): Promise<NodeQuery<TreeReply>> {
    const q = await this.askLiveNodes<TreeReply>(ControlVerbs.tree);
    return { ...q, results: [...q.results].sort((a, b) => a.node.localeCompare(b.node)) };
  }

  /** The recent output (stderr, container logs) of an actor's worker, process or container on this site. */
  async actorLogs(actor: string): Promise<readonly string[]> {
    assertName(actor, 'actor id');
    const now = this.clock.now();
    const live = (await this.listNodes()).filter((n) => n.site === this.site && isNodeAlive(n, now));
    const { results } = collectReplies(await Promise.allSettled(live.map((n) => this.control<LogsReply>(n.id, ControlVerbs.logs, { site: n.site, body: { actor } }))));
    const found = results.find((r) => r.found);
    if (!found) throw new CairnError(DeployCodes.CLI_ACTOR_NOT_RUNNING, `no live node of site "${this.site}" runs actor "${actor}"; see \`cairn ps\``, { details: { actor } });
    return found.lines;
  }

  /**
   * Each line the actor's guest writes from now on, from whichever node of this site runs it (also
   * across restarts and failovers), until `signal` aborts or `close()` is called: what `cairn logs
   * -f` prints after the recent lines of `actorLogs`. Lines travel as core NATS messages: a line
   * written while this client's connection is down is not repeated. Resolves once subscribed.
   */
  followActorLogs(actor: string, opts: { readonly signal?: AbortSignal } = {}): Promise<FollowedOutput> {
    assertName(actor, 'actor id');
    return FollowedOutput.open(this.conn.nc, this.site, actor, opts.signal);
  }

  /** Sends a control request to one node (of this site unless `site` is given) and decodes its reply. */
  async control<T>(node: string, verb: ControlVerb, opts: { readonly site?: string; readonly body?: unknown; readonly timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.replyTimeoutMs;
    try {
      const payload = opts.body === undefined ? new Uint8Array(0) : encodeValue(opts.body);
      const reply = await this.conn.nc.request(Subjects.control(opts.site ?? this.site, node, verb), payload, { timeout: timeoutMs });
      return decodeValue(reply.data) as T;
    } catch (cause) {
      throw new CairnError(DeployCodes.CLI_NODE_UNREACHABLE, `node "${node}" of site "${opts.site ?? this.site}" did not answer "${verb}" within ${timeoutMs} ms (${(cause as Error).message}); check it with \`cairn nodes\`, or raise the timeout (--timeout)`, { cause, details: { node, verb, timeoutMs } });
    }
  }

  /**
   * Asks every live node one verb. Sites whose nodes are all dead are not asked (`offline`); nodes
   * that do not answer are `failures`. Fails only when no node is live or none answers.
   */
  private async askLiveNodes<T>(verb: ControlVerb): Promise<NodeQuery<T>> {
    const now = this.clock.now();
    const nodes = await this.listNodes();
    const live = nodes.filter((n) => isNodeAlive(n, now));
    if (live.length === 0) {
      const offline = summarizeSites(nodes, now).map((s) => `${s.site} (last seen ${Math.round((now - s.lastSeen) / 1000)} s ago)`);
      throw new CairnError(
        DeployCodes.CLI_NO_NODES,
        `no live node on site "${this.site}" at ${this.server}${offline.length > 0 ? `; offline: ${offline.join(', ')}` : ''}; start one with \`cairn up\`, or pass the right server URL and site (--server / --site; see \`cairn nodes\`)`,
        { details: { site: this.site, server: this.server, offline: summarizeSites(nodes, now) } },
      );
    }
    const { results, failures } = collectReplies(await Promise.allSettled(live.map((n) => this.control<T>(n.id, verb, { site: n.site }))));
    if (results.length === 0) throw failures[0]!;
    return { results, offline: summarizeSites(nodes, now).filter((s) => !s.online), failures };
  }

  // --- Applications -------------------------------------------------------------------------

  /**
   * Validates a manifest's text, importing its third-party modules from `appDir` as the sites
   * will (or finding them in `modules`: those the sites' createActorSystem({ modules }) holds), and
   * stores it as a new revision unless identical. Nothing is stored when it has errors:
   * ManifestError (CAIRN_MANIFEST_INVALID) with every problem.
   */
  async apply(manifest: string, opts: ManifestSourceOptions = {}): Promise<ApplyResult> {
    const source = opts.source ?? 'api';
    const parsed = await validateManifest(manifest, source, opts);
    let artifacts: AppliedArtifact[];
    try {
      artifacts = [...(await this.storeArtifacts(parsed.artifacts)), ...(await this.storeFiles(parsed.files)), ...(await this.storeImages(parsed.images))];
    } finally {
      await parsed.release();
    }
    const recorded = Object.fromEntries(parsed.artifacts.map((a) => [a.sha256, { size: a.bytes.length, source: a.source }]));
    const result = await (await this.apps(true)).applyApp(parsed.app, source, recorded);
    // Best effort: a revision that fell out of the history may have been the last user of some.
    if (result.changed) await this.collectArtifactGarbage().catch(() => undefined);
    return { ...result, warnings: parsed.warnings, artifacts };
  }

  /** Stores each artifact in the cloud's cairn_artifacts unless it is there (stored before the revision that names it). */
  private async storeArtifacts(artifacts: readonly AppArtifact[]): Promise<AppliedArtifact[]> {
    if (artifacts.length === 0) return [];
    const { ArtifactStore, appsJetStream } = await controlPlane();
    const store = await ArtifactStore.open(appsJetStream(this.conn.nc, this.opts.cloudDomain), { create: true });
    const out: AppliedArtifact[] = [];
    for (const a of artifacts) {
      const { uploaded, sentBytes } = await store.put(a.sha256, a.bytes, a.source);
      out.push({ kind: 'behaviour', sha256: a.sha256, size: a.bytes.length, source: a.source, actors: a.actors, uploaded, sentBytes });
    }
    return out;
  }

  /** Stores each delivered file as chunks (only those the cloud lacks are sent). */
  private async storeFiles(files: readonly DeliveredFile[]): Promise<AppliedArtifact[]> {
    if (files.length === 0) return [];
    const { ArtifactStore, appsJetStream, storeFile } = await controlPlane();
    const store = await ArtifactStore.open(appsJetStream(this.conn.nc, this.opts.cloudDomain), { create: true });
    const out = new Map<string, AppliedArtifact>();
    for (const f of files) {
      const have = out.get(f.sha256);
      if (have) {
        out.set(f.sha256, { ...have, actors: [...have.actors, f.actor] });
        continue;
      }
      const stored = await storeFile(store, f);
      out.set(f.sha256, { kind: 'file', sha256: f.sha256, size: stored.size, source: f.path, actors: [f.actor], uploaded: stored.uploaded, sentBytes: stored.sentBytes });
    }
    return [...out.values()];
  }

  /** Stores each delivered image (`docker save`) unless the cloud holds it already. */
  private async storeImages(images: readonly DeliveredImage[]): Promise<AppliedArtifact[]> {
    if (images.length === 0) return [];
    const { ArtifactStore, appsJetStream, storeImage, localDocker, imageIdHex } = await controlPlane();
    const store = await ArtifactStore.open(appsJetStream(this.conn.nc, this.opts.cloudDomain), { create: true });
    const docker = await localDocker();
    const out: AppliedArtifact[] = [];
    for (const image of images) {
      const stored = await storeImage(docker, store, image);
      out.push({ kind: 'image', sha256: imageIdHex(image.id)!, size: stored.size, source: image.image, actors: image.actors, uploaded: stored.uploaded, sentBytes: stored.sentBytes });
    }
    return out;
  }

  /** The artifacts stored in the cloud's cairn_artifacts, with the applications and revisions that use them. */
  async listArtifacts(): Promise<ArtifactUse[]> {
    const { ArtifactStore, appsJetStream } = await controlPlane();
    const stored = await ArtifactStore.open(appsJetStream(this.conn.nc, this.opts.cloudDomain)).then((s) => s.list()).catch(() => []);
    const users = await this.artifactUsers();
    return stored.sort((a, b) => a.storedAt - b.storedAt).map((a) => ({ ...a, usedBy: users.get(a.sha256) ?? [] }));
  }

  /**
   * Deletes the artifacts no kept revision of any application uses (revisions fall out of the
   * history as new ones are written, and with a deleted app's), once older than `graceMs` (an
   * apply stores its artifacts before its revision), then the chunks only they used. `apply` runs
   * it after writing a revision. Edges' mirrors keep their copies (their caches hold what they run).
   */
  async collectArtifactGarbage(opts: { readonly graceMs?: number } = {}): Promise<StoredArtifact[]> {
    const { ArtifactStore, ARTIFACT_GRACE_MS, appsJetStream, unreferencedArtifacts } = await controlPlane();
    const store = await ArtifactStore.open(appsJetStream(this.conn.nc, this.opts.cloudDomain)).catch(() => undefined);
    if (!store) return [];
    const users = await this.artifactUsers();
    const garbage = unreferencedArtifacts(await store.list(), new Set(users.keys()), this.clock.now(), opts.graceMs);
    for (const a of garbage) await store.delete(a);
    // The chunks only those images and files used go too (after the same grace).
    await store.collectChunks(this.clock.now(), opts.graceMs ?? ARTIFACT_GRACE_MS);
    return garbage;
  }

  /** By digest, the kept revisions (`app@revision`, deleted apps' included) whose actors use each artifact. */
  private async artifactUsers(): Promise<Map<string, string[]>> {
    const { artifactDigestsOf } = await controlPlane();
    const users = new Map<string, string[]>();
    for (const r of await (await this.apps()).keptRevisions()) {
      for (const d of artifactDigestsOf(r.record.app)) users.set(d, [...(users.get(d) ?? []), `${r.name}@${r.revision}`]);
    }
    return users;
  }

  /**
   * What `apply` would change, validated the same way and stored nowhere (`cairn apply --dry-run`,
   * `cairn diff`): the actors added, removed and changed, with their sites.
   */
  async planApply(manifest: string, opts: ManifestSourceOptions = {}): Promise<AppDiff> {
    const parsed = await validateManifest(manifest, opts.source ?? 'api', opts);
    await parsed.release();
    return (await this.apps()).plan(parsed.app);
  }

  async listApps(): Promise<AppSummary[]> {
    return (await this.apps()).list();
  }

  /** The current application and its kept revisions; CAIRN_APP_NOT_FOUND when absent or deleted. */
  async getApp(name: string): Promise<AppDetails> {
    assertName(name, 'application name');
    return (await this.apps()).get(name);
  }

  /** Deletes an application: every site stops it; its revisions stay for `rollbackApp`. */
  async deleteApp(name: string): Promise<{ readonly revision: number }> {
    assertName(name, 'application name');
    return (await this.apps()).delete(name);
  }

  /** Writes an earlier revision again (default: the one before the current). */
  async rollbackApp(name: string, toRevision?: number): Promise<RollbackResult> {
    assertName(name, 'application name');
    return (await this.apps()).rollback(name, toRevision);
  }

  /**
   * What each site reports of an application: the connected site and every site its placements
   * name (a site's JetStream domain is its name). Best effort per site.
   */
  async appStatus(app: string | AppDetails): Promise<SiteAppStatus[]> {
    const details = typeof app === 'string' ? await this.getApp(app) : app;
    const named = new Set(details.app.spec.actors.flatMap((a) => a.placement.sites ?? []));
    const sites = [...new Set([this.site, ...named])].sort();
    return Promise.all(
      sites.map(async (site): Promise<SiteAppStatus> => {
        const js = jetstream(this.conn.nc, { ...(site === this.site ? {} : { domain: site }), timeout: STATUS_TIMEOUT_MS });
        const all = await (await controlPlane()).readAppStatuses(js, site);
        return { site, status: all?.find((s) => s.app === details.name), reachable: all !== undefined };
      }),
    );
  }

  /**
   * The desired-state bucket. Only `apply` creates it when missing; the other calls find no
   * applications in a missing one instead of leaving an empty bucket behind.
   */
  private apps(create = false): Promise<AppStore> {
    let store = this.stores.get(create);
    if (!store) {
      store = controlPlane().then(({ AppStore, appsJetStream }) => AppStore.open(appsJetStream(this.conn.nc, this.opts.cloudDomain), { create }));
      this.stores.set(create, store);
      store.catch(() => this.stores.delete(create));
    }
    return store;
  }

  // --- Dead letters -------------------------------------------------------------------------

  /** This site's dead letters, oldest first (default: at most 100). */
  listDeadLetters(opts: ListOptions = {}): Promise<DeadLetter[]> {
    return deadLetterCall(this.site, () => this.deadLetters().list(opts));
  }

  /** Sends dead letter `seq` back to its mailbox; CAIRN_CLI_DEAD_LETTER_NOT_FOUND when there is none. */
  async replayDeadLetter(seq: number): Promise<void> {
    if (!(await deadLetterCall(this.site, () => this.deadLetters().replay(seq)))) throw deadLetterNotFound(seq, this.site);
  }

  /** Deletes dead letter `seq`, or all of them; returns how many were deleted. */
  async purgeDeadLetters(seq?: number): Promise<number> {
    const purged = await deadLetterCall(this.site, () =>
      this.deadLetters()
        .purge(seq)
        .catch((err: unknown) => {
          if (seq !== undefined && isNoMessage(err)) return 0;
          throw err;
        }),
    );
    if (seq !== undefined && purged === 0) throw deadLetterNotFound(seq, this.site);
    return purged;
  }

  private deadLetters(): DeadLetterAdmin {
    return new DeadLetterAdmin(this.conn.js, this.conn.jsm, this.site);
  }

  /** Fails asks still waiting, and closes the connection unless it was given. */
  async close(): Promise<void> {
    this.messenger.close();
    if (this.conn.ownsConnection) await this.conn.nc.close();
  }
}

function deadLetterNotFound(seq: number, site: string): CairnError {
  return new CairnError(DeployCodes.CLI_DEAD_LETTER_NOT_FOUND, `there is no dead letter with sequence ${seq} on site "${site}"; list them with \`cairn dlq ls\` and use a SEQ from it`, { details: { seq, site } });
}
