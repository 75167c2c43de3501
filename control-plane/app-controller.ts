import type { KV } from '@nats-io/kv';
import { match } from 'ts-pattern';
import { assertPositiveOptions } from '../kernel/index.ts';
import type { HostChoice } from '../kernel/index.ts';
import { ManifestLimits, applicationProblems } from './manifest/index.ts';
import type { Actor, Application, ModuleRegistry } from './manifest/index.ts';
import { BUILTIN_MODULES } from '../actors/index.ts';
import type { ActorSystem } from '../supervisor-trees/index.ts';
import { CairnError, DeployCodes, KernelCodes, SupervisorCodes, isCairnError } from '../protocols/index.ts';
import type { RoutedMessage } from '../protocols/index.ts';
import { decodeAppRecord } from './app-record.ts';
import { AppStatusBucket } from './app-status.ts';
import type { AppStatus, FetchProgress } from './app-status.ts';
import { appTreeId, appTreeSpec, instanceChild } from './app-tree-spec.ts';
import type { Unplaced } from '../supervisor-trees/placement/index.ts';
import { openDesiredApps } from './desired-apps-bucket.ts';
import { defaultImporter, loadActor } from './load-behaviour.ts';
import type { LoadedActor } from './load-behaviour.ts';
import type { ModuleImporter } from './load-behaviour.ts';
import { planReconcile } from './plan-reconcile.ts';
import { hostedRuntime } from './resolve-runtime.ts';
import { siteInstanceCount, siteInstances, targetsSite } from './site-instances.ts';
import { actorsForSite } from './site-actors.ts';
import type { SiteInstance } from './site-instances.ts';
import { SitePlacer } from './site-placer.ts';
import { RouteExecutor } from './route-executor.ts';
import type { CaptureLimits } from './route-executor.ts';
import { planRoutes } from './route-plan.ts';
import { withModuleRoutes } from './module-routes.ts';
import { ModuleStreams, planModuleStreams } from './module-streams.ts';
import { DeviceAccessEntries } from './device-access-bucket.ts';
import { planDeviceAccess } from './device-access-plan.ts';
import type { DesiredApp, ReconcileCommand, RunningApp } from './plan-reconcile.ts';
import { ArtifactCache, DEFAULT_ARTIFACT_DIR, ensureImageLoaded, fetchProgress, localDocker, localizeArtifacts, openSiteArtifacts } from './artifacts/index.ts';
import type { SiteArtifacts } from './artifacts/index.ts';
import type Dockerode from 'dockerode';
import { RetryTimers } from './retry-timers.ts';

export interface AppControllerOptions {
  /** The node whose root supervisor runs the apps' trees; its site decides which actors run here. */
  readonly system: ActorSystem;
  /**
   * JetStream domain of the cloud whose cairn_apps bucket this site mirrors (an edge). Absent: this
   * site holds the bucket itself (the cloud, or a single embedded site).
   */
  readonly cloudDomain?: string;
  /**
   * Directory that relative third-party `module` paths, `container.build.context` and behaviour paths
   * of revisions stored without artifacts (by AppStore directly, or an older Cairn) resolve against;
   * what `cairn apply` delivers needs none. @default process.cwd()
   */
  readonly appDir?: string;
  /**
   * Where this node keeps the artifacts (code `cairn apply` delivered) of the apps it runs, checked
   * against their digests on every use; apps run from here while the cloud is unreachable.
   * @default DEFAULT_ARTIFACT_DIR (`.cache/artifacts` in Cairn's package folder)
   */
  readonly artifactDir?: string;
  /** Revisions kept when this controller creates the bucket. @default 20 */
  readonly history?: number;
  /** How behaviour modules are imported. @default dynamic import() */
  readonly importer?: ModuleImporter;
  /**
   * The most instances one application may create on this site; one asking for more fails here
   * (CAIRN_APP_TOO_MANY_INSTANCES) before any is made. @default ManifestLimits.instancesPerApp (10,000)
   */
  readonly maxInstancesPerApp?: number;
  /** Limits of the streams that capture routes on this site (tests make them small). @default 7 days, 1,000,000 messages */
  readonly routeCapture?: CaptureLimits;
  /** How often capture streams are checked for fill. @default 5000 */
  readonly fillCheckMs?: number;
}

/** An app as this site runs it (or failed to start it). */
export interface ControlledApp extends RunningApp {
  readonly state: 'running' | 'failed' | 'fetching';
  readonly actors: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
  readonly progress?: FetchProgress;
}

/**
 * Makes one site run what the cloud's desired state says: watches the cairn_apps bucket (the cloud's
 * own, or the edge's local mirror of it), plans with the pure `planReconcile`, and performs the
 * commands with supervisor trees `app-<name>` under the node's root. With the link down an edge
 * keeps the last desired state it saw and keeps supervising; it converges when the mirror catches up.
 */
export class AppController {
  private readonly desired = new Map<string, DesiredApp>();
  private readonly running = new Map<string, ControlledApp>();
  private readonly abort = new AbortController();
  private readonly appDir: string;
  private readonly importer: ModuleImporter;
  private readonly modules: ModuleRegistry;
  private status: AppStatusBucket | undefined;
  private placer: SitePlacer | undefined;
  private routes: RouteExecutor | undefined;
  private moduleStreams: ModuleStreams | undefined;
  private deviceAccess: DeviceAccessEntries | undefined;
  private artifacts: ArtifactCache | undefined;
  private siteArtifacts: SiteArtifacts | undefined;
  private images: ((id: string, image: string) => Promise<unknown>) | undefined;
  /** Apps whose artifacts had not reached this site: reconciled again after a delay, by app name. */
  private readonly artifactRetries = new RetryTimers<string>({ initialMs: 500, maxMs: 5_000 });
  /** Starts that failed on the way to the server (it restarted for a hub's new listener, the link dropped): tried again. */
  private readonly transientRetries = new RetryTimers<string>({ initialMs: 500, maxMs: 10_000 });
  private offEvents: (() => void) | undefined;
  private offNodes: (() => void) | undefined;
  /** Apps with instances that fit no node yet: placed again when the site's nodes change. */
  private readonly waiting = new Map<string, WaitingApp>();
  private nodesChanged = false;
  /**
   * Apps whose start failed because a node placement chose did not answer (it died, and the
   * registry did not say so yet): started again, placed afresh, when the site's nodes change.
   */
  private readonly retryOnNodeChange = new Set<string>();
  private watching: Promise<void> | undefined;
  private reconciling: Promise<void> | undefined;
  private dirty = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: AppControllerOptions) {
    assertPositiveOptions('app controller options', { maxInstancesPerApp: opts.maxInstancesPerApp });
    this.appDir = opts.appDir ?? process.cwd();
    // Found by name before anything is imported: Cairn's built-in modules and the system's own.
    this.modules = new Map([...BUILTIN_MODULES, ...opts.system.modules]);
    this.importer = opts.importer ?? defaultImporter;
  }

  get site(): string {
    return this.opts.system.site;
  }

  /** Opens the bucket and starts watching; resolves once the watch is established. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.watching) return;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const { node } = this.opts.system;
    this.placer = new SitePlacer({ site: this.site, nodes: () => node.directory.all(), now: () => Date.now() });
    this.moduleStreams = new ModuleStreams({ site: this.site, jsm: node.jsm, log: node.log });
    this.deviceAccess = await DeviceAccessEntries.open(node.js, this.site, node.log);
    this.routes = new RouteExecutor({
      site: this.site,
      js: node.js,
      jsm: node.jsm,
      nc: node.nc,
      log: node.log,
      tell: (instance, items, opts) => this.opts.system.ref<RoutedMessage>(instance).tellAll(items.map((i) => ({ msg: i.body, id: i.id })), opts),
      direct: (source) => node.deliverFrom(source),
      onEvent: (e) => node.events.emit(e),
      ...(this.opts.routeCapture === undefined ? {} : { captureLimits: this.opts.routeCapture }),
      ...(this.opts.fillCheckMs === undefined ? {} : { fillCheckMs: this.opts.fillCheckMs }),
    });
    void this.routes.watchFill(this.abort.signal).catch((err: unknown) => node.log.warn({ err }, 'app controller: capture fill watch ended'));
    const kv = await openDesiredApps(node.js, node.jsm, { ...(this.opts.cloudDomain === undefined ? {} : { cloudDomain: this.opts.cloudDomain }), ...(this.opts.history === undefined ? {} : { history: this.opts.history }) });
    const artifacts = await openSiteArtifacts(node.js, node.jsm, this.opts.cloudDomain === undefined ? {} : { cloudDomain: this.opts.cloudDomain });
    this.siteArtifacts = artifacts;
    this.artifacts = new ArtifactCache(this.opts.artifactDir ?? DEFAULT_ARTIFACT_DIR, artifacts.source, node.log, undefined, artifacts.files);
    // What crashed writes and replaced folders left in the cache, once nothing can be using them.
    void this.artifacts.sweep(node.clock.now()).catch((err: unknown) => node.log.warn({ err }, 'app controller: could not sweep the artifact cache'));
    let docker: Promise<Dockerode> | undefined;
    // Docker is loaded only when an app has a delivered image.
    this.images = async (id, image) => ensureImageLoaded(await (docker ??= localDocker()), await artifacts.store(), id, image, node.log);
    this.status = await AppStatusBucket.open(node.js, this.site).catch((err: unknown) => {
      node.log.warn({ err }, 'app controller: cannot open the status bucket; `cairn get` will not show this site');
      return undefined;
    });
    this.offEvents = node.onEvent((e) => {
      if (e.type !== 'escalated') return;
      const name = [...this.running.keys()].find((n) => appTreeId(n) === e.actor);
      const app = name === undefined ? undefined : this.running.get(name);
      if (!name || !app || app.state !== 'running') return;
      node.log.error({ app: name, reason: e.reason }, 'app controller: application gave up (restart intensity exceeded); it stays stopped until it is applied again');
      // Its routes stop forwarding into mailboxes nobody drains; the stream keeps capturing.
      void this.routes?.pause(name);
      this.placer?.removeApp(name);
      this.waiting.delete(name);
      this.record(name, { ...app, state: 'failed', error: { code: SupervisorCodes.SUPERVISOR_INTENSITY_EXCEEDED, message: e.reason } });
    });
    this.offNodes = node.directory.onChange(() => {
      for (const name of this.retryOnNodeChange) {
        // Not running: the next reconcile starts it again, and placement sees the node as gone.
        if (this.running.get(name)?.state === 'failed') this.running.delete(name);
      }
      const retry = this.retryOnNodeChange.size > 0;
      this.retryOnNodeChange.clear();
      if (this.waiting.size === 0 && !retry) return;
      this.nodesChanged ||= this.waiting.size > 0;
      this.schedule();
    });
    // Capture streams of apps deleted (or moved away) while no controller ran here: listed before
    // the desired state is read, so a stream made for an app applied meanwhile is not among them.
    const stillHere = async (app: string, withRoutes: boolean): Promise<boolean> => {
      const entry = await kv.get(app);
      if (!entry || entry.operation !== 'PUT') return false;
      const desired = decodeAppRecord(entry.value, app, entry.revision).app;
      const here = actorsForSite(desired, this.site);
      // Modules may declare routes and streams from their config: an app with a module actor here
      // keeps them until its controller starts it and plans again (that run removes what is unused).
      return here.some((a) => a.module !== undefined) || (withRoutes && planRoutes(this.site, desired, siteInstances(here)) !== undefined);
    };
    await this.routes
      .sweep((app) => stillHere(app, true))
      .then((swept) => swept.length > 0 && node.log.info({ apps: swept }, 'app controller: removed the route streams of apps no longer here'))
      .catch((err: unknown) => node.log.warn({ err }, 'app controller: could not sweep old route streams'));
    await this.moduleStreams
      .sweep((app) => stillHere(app, false))
      .then((swept) => swept.length > 0 && node.log.info({ apps: swept }, 'app controller: removed the module streams of apps no longer here'))
      .catch((err: unknown) => node.log.warn({ err }, 'app controller: could not sweep old module streams'));
    await this.deviceAccess
      .sweep((app) => stillHere(app, false))
      .then((swept) => swept.length > 0 && node.log.info({ apps: swept }, 'app controller: removed the device access of apps no longer here'))
      .catch((err: unknown) => node.log.warn({ err }, 'app controller: could not sweep old device access'));
    const iter = await kv.watch();
    this.abort.signal.addEventListener('abort', () => iter.stop(), { once: true });
    this.watching = this.watchLoop(iter);
  }

  /** Stops watching and stops the trees of every app this controller started. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.offEvents?.();
    this.offNodes?.();
    this.artifactRetries.clearAll();
    this.transientRetries.clearAll();
    await this.watching?.catch(() => undefined);
    await this.reconciling?.catch(() => undefined);
    // The node is going away, not the apps: their routes keep capturing for the next leader.
    for (const name of [...this.running.keys()]) await this.stopTree(name, { keepCapture: true });
    await this.routes?.stop();
  }

  /** What this site runs, by app name. */
  apps(): ReadonlyMap<string, ControlledApp> {
    return this.running;
  }

  /** Resolves once every change seen so far has been acted on. */
  whenIdle(): Promise<void> {
    if (!this.reconciling) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async watchLoop(iter: Awaited<ReturnType<KV['watch']>>): Promise<void> {
    const log = this.opts.system.node.log;
    for await (const e of iter) {
      if (e.operation === 'PUT') {
        try {
          const { app } = decodeAppRecord(e.value, e.key, e.revision);
          // The bucket may hold what no apply of this Cairn would store (written by hand, by an
          // older Cairn, before a limit existed): checked before anything is materialised from it.
          const problems = applicationProblems(app);
          if (problems.length > 0) {
            throw new CairnError(DeployCodes.APP_RECORD_INVALID, `revision ${e.revision} of application "${e.key}" is not a valid application: ${problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}; apply a corrected manifest`, { details: { app: e.key, revision: e.revision } });
          }
          this.desired.set(e.key, { revision: e.revision, app });
        } catch (err) {
          log.error({ err, app: e.key, revision: e.revision }, 'app controller: unreadable desired state; keeping what runs');
          this.reportUnreadableHere(e.key, e.revision, e.value, err);
          continue;
        }
      } else {
        this.desired.delete(e.key);
        // A refused revision's report is not cleared by a stop (nothing ran): the delete clears it.
        if (!this.running.has(e.key)) void this.status?.remove(e.key).catch(() => undefined);
      }
      this.schedule();
    }
  }

  private schedule(): void {
    this.dirty = true;
    this.reconciling ??= this.reconcileLoop().finally(() => {
      this.reconciling = undefined;
      for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private async reconcileLoop(): Promise<void> {
    while (this.dirty && !this.abort.signal.aborted) {
      this.dirty = false;
      for (const command of planReconcile(this.desired, this.running, this.site)) {
        if (this.abort.signal.aborted) return;
        await this.execute(command);
      }
      if (this.nodesChanged) {
        this.nodesChanged = false;
        for (const name of [...this.waiting.keys()]) await this.placeWaiting(name);
      }
    }
  }

  /** Starts the instances of a waiting app that fit a node now (the site's nodes changed). */
  private async placeWaiting(name: string): Promise<void> {
    const w = this.waiting.get(name);
    const app = this.running.get(name);
    if (!w || !app || app.state !== 'running') return void this.waiting.delete(name);
    const { system } = this.opts;
    const plan = this.placer!.planApp(w.app, w.instances);
    for (const instance of w.instances) {
      if (w.started.has(instance.instanceId) || !plan.placed.has(instance.instanceId)) continue;
      try {
        await system.addChild(appTreeId(name), instanceChild(w.app, instance, w.loaded, this.appDir, this.hostChoice(name, w.app, instance, w.loaded)));
        w.started.add(instance.instanceId);
        system.node.log.info({ app: name, instance: instance.instanceId, node: plan.placed.get(instance.instanceId) }, 'app controller: placed an instance that was waiting for a node');
      } catch (err) {
        system.node.log.warn({ err, app: name, instance: instance.instanceId }, 'app controller: an instance that now fits a node failed to start; it waits for the next change');
      }
    }
    const unplaced = unplacedLines(this.reported(w.app, plan.unplaced));
    if (w.instances.every((i) => w.started.has(i.instanceId))) this.waiting.delete(name);
    const { error: _previous, ...rest } = app;
    this.record(name, { ...rest, actors: w.instances.map((i) => i.instanceId).filter((id) => w.started.has(id)), ...(unplaced.length > 0 ? { error: { code: DeployCodes.UNPLACED, message: unplaced.join(' | ') } } : {}) });
  }

  /** The thin executor: one command, errors recorded in the app's status rather than thrown. */
  private async execute(command: ReconcileCommand): Promise<void> {
    await match(command)
      .with({ type: 'start' }, (c) => this.startTree(c))
      .with({ type: 'replace' }, async (c) => {
        // A revision this site refuses outright does not take down the one that runs.
        const refused = this.instancesRefusal(c.name, c.actors);
        if (refused) {
          this.opts.system.node.log.error({ err: refused, app: c.name, revision: c.revision }, 'app controller: revision refused; keeping the one that runs');
          this.reportRefused(c.name, c.revision, refused);
          return;
        }
        // The new code is fetched before the old revision stops: an edge whose artifacts have not
        // arrived keeps running what it has, and tries again.
        try {
          await localizeArtifacts(c.app, c.actors, this.artifacts!, this.images, this.appDir);
        } catch (err) {
          this.opts.system.node.log.warn({ err, app: c.name, revision: c.revision }, 'app controller: the new revision\'s code is not here yet; keeping the one that runs');
          if (isCairnError(err, DeployCodes.ARTIFACT_UNAVAILABLE)) {
            this.retryForArtifacts(c.name);
            this.reportRefused(c.name, c.revision, err, 'fetching', await this.fetchProgress(c.actors));
          } else this.reportRefused(c.name, c.revision, err);
          return;
        }
        // Captured messages wait in the stream for the new revision's forwarder.
        await this.stopTree(c.name, { keepCapture: true });
        await this.startTree(c);
      })
      .with({ type: 'stop' }, (c) => this.stopTree(c.name))
      .with({ type: 'adopt' }, (c) => {
        const have = this.running.get(c.name);
        if (have) this.record(c.name, { ...have, revision: c.revision });
      })
      .exhaustive();
  }

  private async startTree(command: Extract<ReconcileCommand, { type: 'start' | 'replace' }>): Promise<void> {
    const { system } = this.opts;
    let c = command;
    let actors = c.actors.map((a) => a.id);
    try {
      // Counted before anything is made: a node must not materialise work an input made unbounded.
      const refused = this.instancesRefusal(c.name, c.actors);
      if (refused) throw refused;
      // Delivered code (artifact references) becomes files in this site's cache, fetched if missing.
      const local = await localizeArtifacts(c.app, c.actors, this.artifacts!, this.images, this.appDir);
      c = { ...c, app: local.app, actors: local.actors };
      const loaded = new Map<string, LoadedActor>();
      for (const a of c.actors) {
        const actor = await loadActor(a, { app: c.name, actor: a.id, site: this.site }, this.appDir, this.importer, this.modules);
        // Delivered files reach the actor as ctx.config.files.<name>: their paths on this node.
        const files = local.files.get(a.id);
        loaded.set(a.id, files ? { ...actor, config: { ...actor.config, files } } : actor);
      }
      // Placement over this site's nodes: the instances that fit somewhere start; the others are reported.
      const instances = siteInstances(c.actors);
      const plan = this.placer!.planApp(c.app, instances);
      const placed = instances.filter((i) => plan.placed.has(i.instanceId));
      // The streams modules declare exist before their actors start (those of a waiting instance too).
      await this.moduleStreams!.apply(c.name, planModuleStreams(this.site, c.name, instances, loaded));
      // Routes go to every instance this site is a target of (a waiting one's mailbox holds its
      // messages); a one-per-site actor whose selector no node here matches is not captured here.
      // They capture before the hub's listener opens: what devices publish from the first moment is kept.
      const nodes = system.node.directory.all();
      const routePlan = planRoutes(this.site, withModuleRoutes(c.app, loaded), instances.filter((i) => targetsSite(i.actor, this.site, nodes)));
      if (routePlan) await this.routes!.capture(c.name, routePlan);
      // What a hub needs the site's server to offer devices (the process running it applies it).
      await this.deviceAccess!.apply(c.name, planDeviceAccess(instances, loaded));
      actors = placed.map((i) => i.instanceId);
      // Temporary under the root: an app that exceeds its restart intensity ends (and is reported
      // failed) instead of being restarted by the root and, failing again, stopping the node.
      await system.supervise(appTreeSpec(c.app, c.actors, loaded, this.appDir, { instances: placed, hostFor: (i) => this.hostChoice(c.name, c.app, i, loaded) }), { restart: 'temporary' });
      await this.routes!.run(c.name, routePlan);
      const unplaced = unplacedLines(this.reported(c.app, plan.unplaced));
      if (unplaced.length > 0) system.node.log.warn({ app: c.name, unplaced }, 'app controller: some instances fit no node of this site; they start when one fits');
      if (plan.unplaced.length > 0) {
        this.waiting.set(c.name, { app: c.app, instances, loaded, started: new Set(actors) });
      } else {
        this.waiting.delete(c.name);
      }
      this.record(c.name, { revision: c.revision, fingerprint: c.fingerprint, state: 'running', actors, ...(unplaced.length > 0 ? { error: { code: DeployCodes.UNPLACED, message: unplaced.join(' | ') } } : {}) });
      system.node.log.info({ app: c.name, revision: c.revision, actors, placed: Object.fromEntries(plan.placed) }, 'app controller: started application');
    } catch (err) {
      const error = { code: isCairnError(err) ? err.code : DeployCodes.APP_START_FAILED, message: (err as Error).message };
      const fetching = isCairnError(err, DeployCodes.ARTIFACT_UNAVAILABLE);
      // Code or files still on their way (an edge's mirror catching up) is a wait, not a failure:
      // said at info level, without a stack, at each look (cairn get shows the progress).
      if (fetching) system.node.log.info({ app: c.name, revision: c.revision, code: error.code, reason: error.message }, "app controller: waiting for the application's code and files to reach this site");
      else system.node.log.error({ err, app: c.name, revision: c.revision }, 'app controller: could not start application');
      // A tree that got part-way up is taken down again, so that the next revision starts clean.
      await system.stop(appTreeId(c.name)).catch(() => undefined);
      this.placer?.removeApp(c.name);
      const progress = fetching ? await this.fetchProgress(c.actors) : {};
      this.record(c.name, { revision: c.revision, fingerprint: c.fingerprint, state: fetching ? 'fetching' : 'failed', actors: fetching ? [] : actors, error, ...progress });
      if (isCairnError(err, KernelCodes.NODE_UNREACHABLE)) {
        system.node.log.warn({ app: c.name }, 'app controller: a node placement chose did not answer; starting the application again when the site\'s nodes change');
        this.retryOnNodeChange.add(c.name);
      }
      if (fetching) this.retryForArtifacts(c.name);
      else if (isTransient(err)) {
        const delayMs = this.transientRetries.schedule(c.name, () => this.restartFailed(c.name));
        system.node.log.warn({ app: c.name, delayMs }, 'app controller: the start failed on the way to the server (it restarts, or the connection dropped); trying again');
      }
      return;
    }
    this.artifactRetries.clear(c.name);
    this.transientRetries.clear(c.name);
  }

  /**
   * An app whose code has not reached this site (an edge's artifact mirror lags its apps mirror, or
   * the link is down) is reconciled again after a delay (0.5 s, doubling to 5 s; a look in the
   * site's own store is cheap): started again if
   * its start failed, replaced if an older revision still runs. A successful start resets the delay.
   */
  private retryForArtifacts(name: string): void {
    this.artifactRetries.schedule(name, () => this.restartFailed(name));
  }

  /** A start that failed (or waited for its artifacts) is forgotten, so that the next reconcile starts it again. */
  private restartFailed(name: string): void {
    if (this.abort.signal.aborted) return;
    const state = this.running.get(name)?.state;
    // An app deleted meanwhile keeps its entry: the reconcile stops it, and removes what its failed
    // start left (its routes capture before its tree starts).
    if ((state === 'failed' || state === 'fetching') && this.desired.has(name)) this.running.delete(name);
    this.schedule();
  }

  /**
   * The unplaced instances worth an error: a one-per-site actor this site is not a target of (no
   * node here matches its selector) is not missing here. It still waits, and starts if such a
   * node registers.
   */
  private reported(app: Application, unplaced: readonly Unplaced[]): Unplaced[] {
    const nodes = this.opts.system.node.directory.all();
    return unplaced.filter((u) => {
      const actor = app.spec.actors.find((a) => a.id === u.actor);
      return actor === undefined || targetsSite(actor, this.site, nodes);
    });
  }

  /** At each (re)start of an instance: its node from placement; undefined when it is this node. */
  private hostChoice(app: string, manifest: Application, instance: SiteInstance, loaded: ReadonlyMap<string, LoadedActor>): HostChoice {
    return async () => {
      const node = this.placer!.nodeFor(app, instance.instanceId);
      const code = loaded.get(instance.actor.id)?.code;
      // An inline-only module (no source a guest could import) runs on the leader, wherever
      // placement put it: its code cannot travel, and the leader is where inline actors live.
      if (code === undefined && instance.actor.module !== undefined) return undefined;
      return node === this.opts.system.node.id ? undefined : { node, runtime: hostedRuntime(instance.actor, manifest, this.appDir, code) };
    };
  }

  /** Stops an app's tree; its routes stop capturing too unless `keepCapture` (a replace, a node shutdown). */
  private async stopTree(name: string, opts: { keepCapture?: boolean } = {}): Promise<void> {
    const { system } = this.opts;
    await (opts.keepCapture ? this.routes?.pause(name) : this.routes?.remove(name))?.catch((err: unknown) => system.node.log.warn({ err, app: name }, 'app controller: stopping the routes failed'));
    try {
      await system.stop(appTreeId(name));
    } catch (err) {
      // A failed start left no tree behind: nothing to stop.
      if (!(isCairnError(err) && err.code === KernelCodes.ACTOR_NOT_FOUND)) system.node.log.warn({ err, app: name }, 'app controller: stopping the application failed');
    }
    // Its actors are stopped: the streams its modules declared go with the app (kept across revisions).
    if (!opts.keepCapture) await this.moduleStreams?.remove(name).catch((err: unknown) => system.node.log.warn({ err, app: name }, 'app controller: module streams not removed'));
    if (!opts.keepCapture) await this.deviceAccess?.remove(name).catch((err: unknown) => system.node.log.warn({ err, app: name }, 'app controller: device access not removed'));
    this.running.delete(name);
    this.waiting.delete(name);
    this.placer?.removeApp(name);
    void this.status?.remove(name).catch((err: unknown) => system.node.log.debug({ err, app: name }, 'app controller: status not removed'));
  }

  /**
   * An unreadable revision is reported by the sites it concerns: where the app runs, or whose
   * actors it targets when that much can be read. Other sites stay silent (nothing would clear it).
   */
  private reportUnreadableHere(name: string, revision: number, value: Uint8Array, err: unknown): void {
    let concerns = this.running.has(name);
    if (!concerns) {
      try {
        const app = decodeAppRecord(value, name, revision).app;
        concerns = Array.isArray(app?.spec?.actors) && actorsForSite(app, this.site).length > 0;
      } catch {
        concerns = false;
      }
    }
    if (concerns) this.reportRefused(name, revision, err);
  }

  /** CAIRN_APP_TOO_MANY_INSTANCES when the app asks this site for more instances than it takes. */
  private instancesRefusal(name: string, actors: readonly Actor[]): CairnError | undefined {
    const asked = siteInstanceCount(actors);
    const max = this.opts.maxInstancesPerApp ?? ManifestLimits.instancesPerApp;
    if (asked <= max) return undefined;
    return new CairnError(DeployCodes.APP_TOO_MANY_INSTANCES, `application "${name}" asks site ${this.site} for ${asked} actor instances; this site takes at most ${max} per application (maxInstancesPerApp): lower replicas, or raise the site's limit`, { details: { app: name, site: this.site, instances: asked, max } });
  }

  /** A revision this site will not act on (or not yet: `fetching`), reported where `cairn get <app>` looks (what ran before keeps running). */
  /** How much of `actors`' artifacts this site holds, as a status field (nothing when not known). */
  private async fetchProgress(actors: readonly Actor[]): Promise<{ progress?: FetchProgress }> {
    const progress = await fetchProgress(await this.siteArtifacts?.store(), actors).catch(() => undefined);
    return progress ? { progress } : {};
  }

  private reportRefused(name: string, revision: number, err: unknown, state: 'failed' | 'fetching' = 'failed', progress: { progress?: FetchProgress } = {}): void {
    const { node } = this.opts.system;
    const running = this.running.get(name);
    const error = { code: isCairnError(err) ? err.code : DeployCodes.APP_RECORD_INVALID, message: (err as Error).message };
    const status: AppStatus = { v: 1, app: name, site: this.site, node: node.id, revision, state, actors: running?.actors ?? [], error, ...progress, updatedAt: Date.now() };
    void this.status?.put(status).catch((e: unknown) => node.log.debug({ err: e, app: name }, 'app controller: status not written'));
  }

  private record(name: string, app: ControlledApp): void {
    this.running.set(name, app);
    const { node } = this.opts.system;
    const status: AppStatus = {
      v: 1,
      app: name,
      site: this.site,
      node: node.id,
      revision: app.revision,
      state: app.state,
      actors: app.actors,
      ...(app.error ? { error: app.error } : {}),
      ...(app.progress ? { progress: app.progress } : {}),
      updatedAt: Date.now(),
    };
    void this.status?.put(status).catch((err: unknown) => node.log.debug({ err, app: name }, 'app controller: status not written'));
  }
}

/** An app some of whose instances fit no node yet. */
interface WaitingApp {
  readonly app: Application;
  readonly instances: readonly SiteInstance[];
  readonly loaded: ReadonlyMap<string, LoadedActor>;
  /** Instance ids started so far. */
  readonly started: Set<string>;
}

/** One line per instance that fits no node: `<actor> replica <n>: <reason per node>`. */
function unplacedLines(unplaced: readonly Unplaced[]): string[] {
  return unplaced.map((u) => `${u.actor}${u.replica === undefined ? '' : ` replica ${u.replica}`}: ${u.reasons.join('; ')}`);
}

/** Creates and starts a controller for `opts.system`'s site. */
export async function startAppController(opts: AppControllerOptions, signal?: AbortSignal): Promise<AppController> {
  const controller = new AppController(opts);
  await controller.start(signal);
  return controller;
}

/**
 * Whether a start failed on the way to the server rather than for what the app asks: a request
 * that timed out or found no responder, a connection closed or reset (a server restarting for a
 * hub's new listener, a link dropping). Looked for along the error's causes. Pure.
 */
export function isTransient(err: unknown): boolean {
  for (let e = err as { name?: string; message?: string; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (['TimeoutError', 'NoRespondersError', 'ConnectionError', 'ClosedConnectionError', 'RequestError'].includes(e.name ?? '')) return true;
    if (/timeout|timed out|no responders|connection (closed|draining|refused|lost)|disconnect|ECONNRESET|ECONNREFUSED/i.test(e.message ?? '')) return true;
  }
  return false;
}
