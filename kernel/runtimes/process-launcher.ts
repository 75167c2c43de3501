import { bundleJsGuest, JS_GUEST_ENV } from './guest-bundle.ts';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { CairnError, FrameDecoder, KernelCodes, encodeFrame } from '../../protocols/index.ts';
import type { GuestFrame, NodeFrame } from '../../protocols/index.ts';
import type { GuestChannel, GuestExit, GuestInfo, GuestLauncher } from '../guest-channel.ts';
import type { RuntimeSpec } from '../runtime-spec.ts';
import { DEFAULT_REGISTRY_DIR, ProcessRegistry } from './process-registry.ts';
import { ProcessUsage } from './process-usage.ts';
import { OutputLines } from './output-lines.ts';

export interface ProcessLauncherOptions {
  /** Where each node records its guest processes for orphan cleanup. @default os.tmpdir()/cairn-guests */
  readonly registryDir?: string;
  /** Receives guests' stderr lines at debug level. @default a pino logger at CAIRN_LOG_LEVEL (or warn) */
  readonly log?: Logger;
  /** Lines of stderr kept per guest for logs(). @default 200 */
  readonly logLines?: number;
}

const DEFAULT_LOG_LINES = 200;

/**
 * Starts process-mode guests: `spec.command` with `spec.args`, its stdin/stdout carrying
 * length-prefixed host-protocol frames, its stderr kept for `logs()`. The environment is the
 * node's, overlaid with `spec.env`. Each child is recorded in the node's registry file until it
 * exits, so a node that crashed can kill what it left behind (cleanupOrphans).
 */
export function processLauncher(opts: ProcessLauncherOptions = {}): GuestLauncher {
  const registryDir = opts.registryDir ?? DEFAULT_REGISTRY_DIR;
  const log = opts.log ?? pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });
  const registries = new Map<string, ProcessRegistry>();
  const registryOf = (info: GuestInfo): ProcessRegistry => {
    const key = `${info.site}-${info.node}`;
    let registry = registries.get(key);
    if (!registry) registries.set(key, (registry = new ProcessRegistry(registryDir, info.site, info.node)));
    return registry;
  };

  return async (spec, info, signal) => {
    if (spec.mode !== 'process') {
      throw new CairnError(KernelCodes.INVALID_OPTION, `the process launcher was asked to start a "${spec.mode}" guest for actor ${info.actor}; register it for mode "process" only`);
    }
    if (signal.aborted) throw new CairnError(KernelCodes.ABORTED, `start of actor ${info.actor} was cancelled`);
    const child = await spawnChild(spec, info);
    const registry = registryOf(info);
    const pid = child.pid!;
    // Recorded before init is sent; dropped before `exited` settles, so a node that has stopped
    // its actors has an up-to-date file. A failing registry write only weakens orphan cleanup: it
    // is logged rather than failing the actor.
    const forget = (): Promise<void> => registry.remove(pid).catch((err: unknown) => log.warn({ err, actor: info.actor }, 'could not update guest registry'));
    const channel = new ProcessChannel(child, log.child({ actor: info.actor, guest: `pid ${pid}` }), opts.logLines ?? DEFAULT_LOG_LINES, forget);
    await registry.add(pid, { actor: info.actor, command: spec.command }).catch((err: unknown) => log.warn({ err, actor: info.actor }, 'could not record guest process for orphan cleanup'));
    return channel;
  };
}

/** Spawns the child and waits until it runs (or failed to: ENOENT, EACCES...). */
function spawnChild(spec: Extract<RuntimeSpec, { mode: 'process' }>, info: GuestInfo): Promise<ChildProcessWithoutNullStreams> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, [...(spec.args ?? [])], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...spec.env },
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
    });
    child.once('spawn', () => {
      child.off('error', failed);
      resolve(child);
    });
    const failed = (err: NodeJS.ErrnoException): void => {
      const hint = err.code === 'ENOENT' ? `not found (is it installed and on PATH${spec.cwd ? `, or does cwd ${spec.cwd} exist` : ''}?)` : err.code === 'EACCES' ? 'is not executable (chmod +x?)' : err.message;
      reject(new CairnError(KernelCodes.GUEST_START_FAILED, `cannot start process guest for actor ${info.actor}: command "${spec.command}" ${hint}`, { cause: err, details: { actor: info.actor, command: spec.command } }));
    };
    child.once('error', failed);
  });
}

class ProcessChannel implements GuestChannel {
  readonly describe: string;
  readonly exited: Promise<GuestExit>;
  private readonly decoder = new FrameDecoder();
  private readonly listeners: ((frame: GuestFrame) => void)[] = [];
  private readonly stderr: OutputLines;
  private readonly usageSampler: ProcessUsage;
  /** Set when the node, not the guest, decided the end (a corrupt stream). */
  private fault: string | undefined;
  private gone = false;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly log: Logger,
    logLines: number,
    onGone: () => Promise<void>,
  ) {
    this.describe = `pid ${child.pid}`;
    this.stderr = new OutputLines(logLines);
    this.usageSampler = new ProcessUsage(child.pid!, Date.now());
    // Writing to a guest that just died fails with EPIPE; its exit is reported through `exited`.
    child.stdin.on('error', () => undefined);
    // After the spawn, 'error' means a signal could not be sent; without a listener it would throw.
    child.on('error', (err) => this.log.warn({ err }, 'guest process error'));
    child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of this.stderr.push(chunk)) this.log.debug(line);
    });
    // 'close' (not 'exit') comes after stdout is drained, so every frame the guest wrote is seen first.
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.gone = true;
        this.stderr.end();
        const exit = this.exitOf(code, signal);
        void onGone().then(() => resolve(exit));
      });
    });
  }

  send(frame: NodeFrame): void {
    if (this.gone || this.child.stdin.destroyed) return;
    this.child.stdin.write(encodeFrame(frame));
  }

  onFrame(listener: (frame: GuestFrame) => void): void {
    this.listeners.push(listener);
  }

  async kill(): Promise<void> {
    if (!this.gone) this.child.kill('SIGKILL');
    await this.exited;
  }

  usage() {
    return this.gone ? Promise.resolve(undefined) : this.usageSampler.sample();
  }

  logs(): Promise<string[]> {
    return Promise.resolve(this.stderr.snapshot());
  }

  onOutput(listener: (line: string) => void): void {
    this.stderr.onLine(listener);
  }

  private onStdout(chunk: Buffer): void {
    if (this.fault) return;
    let frames: unknown[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fault = `wrote a corrupt host-protocol frame to stdout (${(err as Error).message})`;
      this.child.kill('SIGKILL');
      return;
    }
    for (const frame of frames) for (const l of this.listeners) l(frame as GuestFrame);
  }

  private exitOf(code: number | null, signal: NodeJS.Signals | null): GuestExit {
    const how = this.fault ? `was killed: it ${this.fault}` : signal ? `killed by ${signal}` : `exited with code ${code}`;
    // On a failure exit the last stderr line usually says why (a traceback's last line...).
    const last = code !== 0 && !signal && !this.fault ? this.stderr.last() : undefined;
    const reason = last ? `${how}; last stderr: ${truncate(last, 300)}` : how;
    return { reason, code: KernelCodes.GUEST_EXITED };
  }
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}


/**
 * A process-mode runtime spec that runs a JavaScript/TypeScript actor behaviour (a module
 * exporting a defineActor result) in its own Node process. Bundles the module with the guest
 * runtime (esbuild) now, so the child starts with plain node.
 */
export function jsProcessSpec(modulePath: string, exportName = 'default'): Extract<RuntimeSpec, { mode: 'process' }> {
  // An absolute path: the child's cwd need not be this repository. The module and the guest
  // runtime are pre-bundled to plain JS, so the child starts with node alone (no tsx).
  const module = modulePath.startsWith('file:') ? fileURLToPath(modulePath) : isAbsolute(modulePath) ? modulePath : resolve(modulePath);
  return { mode: 'process', command: process.execPath, args: [bundleJsGuest(module, exportName)], env: { ...JS_GUEST_ENV } };
}
