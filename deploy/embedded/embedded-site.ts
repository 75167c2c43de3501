import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { embeddedConfig, freePort, locateNatsServer, startReconfigurableServer } from '../nats-server/index.ts';
import type { NatsServerExit, ReconfigurableServer } from '../nats-server/index.ts';
import { CairnError, DeployCodes, isCairnError } from '../../protocols/index.ts';
import type { ActorInfo } from '../../protocols/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { startAppController } from '../../control-plane/index.ts';
import { drainThenStop, siteRuntimes, syncDeviceAccess } from '../site/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorEventListener } from '../../kernel/index.ts';
import { loadExample } from './example-app.ts';
import { isProcessAlive, readUpFile, removeUpFile, upFilePath, writeUpFile } from './up-file.ts';

/** How to start an embedded site (what `cairn up` does). */
export interface StartEmbeddedOptions {
  /** Holds the nats-server config and JetStream store (`nats/`), logs and cairn-up.json. */
  readonly dataDir: string;
  /** The nats-server binary. @default findNatsServer() (NATS_SERVER, PATH, /usr/sbin, ...) */
  readonly natsServer?: string;
  /** Client port on 127.0.0.1. @default a free port */
  readonly port?: number;
  /** @default "local" */
  readonly site?: string;
  /** Node id. @default "<hostname>-<pid>" */
  readonly node?: string;
  /** An examples/<name>/app.ts to run, or "none". @default "hello" */
  readonly example?: string;
  /** Where relative `behaviour.module` paths of applied manifests resolve. @default process.cwd() */
  readonly appDir?: string;
  /** Passed to the example's start(). */
  readonly exampleOptions?: unknown;
  /** Actor lifecycle events of the node (subscribed before the example starts). */
  readonly onEvent?: ActorEventListener;
  /** Called when nats-server exits without being asked to. */
  readonly onServerExit?: (exit: NatsServerExit) => void;
  /** How long `stop()` lets the actor system drain before it stops the server anyway. @default 15000 */
  readonly shutdownTimeoutMs?: number;
  /** Told each step of the start as it begins (a line for an operator watching a start that takes seconds). */
  readonly onProgress?: (step: string) => void;
}

/** An actor on the embedded node, with the supervisor it hangs under. */
export type EmbeddedActor = Pick<ActorInfo, 'id' | 'behaviour' | 'supervisor'>;

/** A running embedded site: nats-server with JetStream, one node, optionally an example app. */
export interface EmbeddedSite {
  readonly url: string;
  readonly site: string;
  readonly node: string;
  readonly dataDir: string;
  readonly storeDir: string;
  readonly configPath: string;
  readonly natsLogPath: string;
  readonly nodeLogPath: string;
  readonly upFilePath: string;
  readonly natsBinary: string;
  readonly natsVersion: string;
  readonly natsPid: number;
  readonly system: ActorSystem;
  /** The example that runs, with its suggested commands; undefined for "none". */
  readonly example: { readonly name: string; readonly tryNext: readonly string[] } | undefined;
  actors(): EmbeddedActor[];
  /**
   * Stops the example's tree, shuts the actor system down (handlers finish, unhandled messages go
   * back to the server), stops nats-server and removes cairn-up.json. Safe to call twice.
   */
  stop(): Promise<{ readonly drained: boolean }>;
  /**
   * After this node lost the site lease (another node of the site took it over): stops what is
   * left of it and starts a new node of the site beside the same nats-server, which waits as a
   * standby (`onStandby` says who leads) and resolves once it leads, with the example started
   * again. The server keeps running throughout: it belongs to the site, not to one node.
   */
  rejoin(how: { readonly onStandby?: (leader: string) => void; readonly signal?: AbortSignal }): Promise<EmbeddedSite>;
}

const PORT_ATTEMPTS = 5;

/**
 * Starts nats-server with JetStream in `<dataDir>/nats` on 127.0.0.1, a node of `site` on it, and
 * the example app; writes `<dataDir>/cairn-up.json`. On any failure, whatever already started is
 * stopped again before the error is thrown.
 */
export async function startEmbeddedSite(opts: StartEmbeddedOptions): Promise<EmbeddedSite> {
  const dataDir = resolve(opts.dataDir);
  const site = opts.site ?? 'local';
  const progress = opts.onProgress ?? ((): void => undefined);
  const { path: binary, version: natsVersion } = await locateNatsServer(opts.natsServer === undefined ? {} : { path: opts.natsServer });
  const example = opts.example === undefined || opts.example !== 'none' ? await loadExample(opts.example ?? 'hello') : undefined;

  const previous = await readUpFile(dataDir).catch(() => undefined);
  if (previous !== undefined && previous.pid !== process.pid && isProcessAlive(previous.pid)) {
    throw new CairnError(
      DeployCodes.UP_ALREADY_RUNNING,
      `cairn up already runs with data dir ${dataDir} (pid ${previous.pid}, ${previous.url}); stop it with Ctrl-C in its terminal or \`kill -INT ${previous.pid}\`, or pass another --data-dir`,
      { details: { dataDir, pid: previous.pid, url: previous.url } },
    );
  }

  const natsDir = join(dataDir, 'nats');
  const storeDir = join(natsDir, 'jetstream');
  const natsLogPath = join(dataDir, 'nats-server.log');
  const nodeLogPath = join(dataDir, 'node.log');
  await mkdir(storeDir, { recursive: true });
  const natsLog = createWriteStream(natsLogPath, { flags: 'a' });
  const closeLog = (): Promise<void> => new Promise((r) => natsLog.end(() => r()));

  let server: ReconfigurableServer | undefined;
  const devices = new AbortController();
  let system: ActorSystem | undefined;
  let stopping = false;
  const writeUp = (srv: ReconfigurableServer, sys: ActorSystem): Promise<void> =>
    writeUpFile(dataDir, { url: srv.url, site, pid: process.pid, natsPid: srv.pid, node: sys.node.id, startedAt: new Date().toISOString() });
  /** A node of the site on the server, with the app controller and the example (once it leads). */
  const startNode = async (srv: ReconfigurableServer, logger: Logger, extra: { readonly onStandby?: (leader: string) => void; readonly signal?: AbortSignal }): Promise<RunningNode> => {
    const sys = await createActorSystem({
      runtimes: siteRuntimes(),
      servers: srv.url,
      site,
      ...(opts.node === undefined ? {} : { node: opts.node }),
      logger,
      ...(extra.onStandby ? { onStandby: extra.onStandby } : {}),
      ...(extra.signal ? { signal: extra.signal } : {}),
    });
    system = sys;
    try {
      if (opts.onEvent) sys.onEvent(opts.onEvent);
      // The embedded site holds the desired state itself: `cairn apply` against it runs here.
      const controller = await startAppController({ system: sys, appDir: opts.appDir ?? process.cwd(), artifactDir: join(dataDir, 'artifacts') });
      if (!example) return { system: sys, stopApps: () => controller.stop() };
      progress(`node ${sys.node.id} leads site ${site}; starting example "${example.name}"`);
      const stopApp = await example.start(sys, opts.exampleOptions).catch(async (err: unknown) => {
        await controller.stop().catch(() => undefined);
        throw err;
      });
      return {
        system: sys,
        stopApps: async () => {
          await stopApp();
          await controller.stop();
        },
      };
    } catch (err) {
      await sys.shutdown().catch(() => undefined);
      throw err;
    }
  };
  let first: RunningNode;
  let logger: Logger;
  try {
    progress(`starting nats-server v${natsVersion} (${binary}) with JetStream in ${storeDir}`);
    for (let attempt = 1; server === undefined; attempt++) {
      const port = opts.port ?? (await freePort());
      try {
        server = await startReconfigurableServer({
          config: embeddedConfig({ name: site, storeDir, host: '127.0.0.1', port }),
          dir: natsDir,
          binary,
          onLog: (line) => natsLog.write(`${line}\n`),
        });
      } catch (err) {
        // A free port can be taken between freePort() and the server binding it: pick another.
        if (!isCairnError(err, DeployCodes.NATS_SERVER_PORT_IN_USE) || opts.port !== undefined || attempt >= PORT_ATTEMPTS) throw err;
      }
    }
    const running = server;
    void running.exited.then((exit) => {
      if (!stopping) opts.onServerExit?.(exit);
    });
    logger = pino({ level: process.env['CAIRN_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: nodeLogPath, sync: true, mkdir: true }));
    const deviceLog = logger.child({ component: 'device-access' });
    // Hubs applied here earlier get their listeners and principals before the node connects
    // (a restart for a listener would cut the node's first requests short).
    await syncDeviceAccess({
      site,
      server: running,
      base: running.config,
      log: deviceLog,
      tell: (actor, msg) => (system ? system.ref(actor).tell(msg) : Promise.reject(new Error('no node runs yet'))),
      signal: devices.signal,
      // cairn-up.json names the server's pid: the restarted one's.
      onReconfigured: (how) => {
        if (how === 'restart' && !stopping && system) void writeUp(running, system);
      },
    });
    progress(`nats-server runs at ${running.url}; starting node ${opts.node ?? '(default id)'} of site ${site} (its log: ${nodeLogPath})`);
    first = await startNode(running, logger, {});
    await writeUp(running, first.system);
  } catch (err) {
    stopping = true;
    devices.abort();
    await system?.shutdown().catch(() => undefined);
    await server?.stop();
    await closeLog();
    throw err;
  }

  const srv = server;
  const log = logger;
  let stopped: Promise<{ drained: boolean }> | undefined;
  const runningSite = (node: RunningNode): EmbeddedSite => ({
    url: srv.url,
    site,
    node: node.system.node.id,
    dataDir,
    storeDir,
    configPath: srv.configPath,
    natsLogPath,
    nodeLogPath,
    upFilePath: upFilePath(dataDir),
    natsBinary: binary,
    natsVersion,
    get natsPid() {
      return srv.pid;
    },
    system: node.system,
    example: example ? { name: example.name, tryNext: example.tryNext } : undefined,
    actors: () => node.system.ps().actors.map(({ id, behaviour, supervisor }) => ({ id, behaviour, supervisor })),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        devices.abort();
        const drain = async (): Promise<void> => {
          await node.stopApps().catch(() => undefined);
          await node.system.shutdown();
        };
        const drained = await drainThenStop(drain, srv, opts.shutdownTimeoutMs ?? 15_000);
        await removeUpFile(dataDir);
        await closeLog();
        return { drained };
      })();
      return stopped;
    },
    async rejoin(how) {
      await node.stopApps().catch(() => undefined);
      await node.system.shutdown().catch(() => undefined);
      const next = await startNode(srv, log, how);
      await writeUp(srv, next.system);
      return runningSite(next);
    },
  });
  return runningSite(first);
}

/** A node of the embedded site and what stops the apps it runs (the example, the app controller). */
interface RunningNode {
  readonly system: ActorSystem;
  readonly stopApps: () => Promise<void>;
}
