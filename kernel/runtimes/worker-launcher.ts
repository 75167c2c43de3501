import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import type { GuestFrame, NodeFrame } from '../../protocols/index.ts';
import type { GuestChannel, GuestExit, GuestLauncher } from '../guest-channel.ts';
import { bundleGuest, JS_GUEST_ENV } from './guest-bundle.ts';
import { OutputLines } from './output-lines.ts';

export interface WorkerLauncherOptions {
  /** Heap limits of each worker (an exceeded limit ends the worker, reported as a crash). */
  readonly resourceLimits?: ResourceLimits;
  /** Receives the workers' stdout/stderr lines at debug level. @default a pino logger at CAIRN_LOG_LEVEL (or warn) */
  readonly log?: Logger;
  /** Lines of output kept per worker for logs(). @default 200 */
  readonly logLines?: number;
}

/**
 * Starts worker-mode guests: a worker thread of the node's process running `spec.module`
 * (TypeScript or JavaScript, bundled once with the guest runtime into plain JavaScript) and
 * serving its `spec.export` (default "default") over the worker's message port. Cheaper than a process, isolated from the node's event loop, but sharing its
 * process: a crash of the process takes both.
 */
export function workerLauncher(opts: WorkerLauncherOptions = {}): GuestLauncher {
  const log = opts.log ?? pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });
  return async (spec, info, signal) => {
    if (spec.mode !== 'worker') {
      throw new CairnError(KernelCodes.INVALID_OPTION, `the worker launcher was asked to start a "${spec.mode}" guest for actor ${info.actor}; register it for mode "worker" only`);
    }
    if (signal.aborted) throw new CairnError(KernelCodes.ABORTED, `start of actor ${info.actor} was cancelled`);
    const module = spec.module.startsWith('file:') ? fileURLToPath(spec.module) : isAbsolute(spec.module) ? spec.module : resolve(spec.module);
    let worker: Worker;
    try {
      // The behaviour and the guest runtime, pre-bundled to plain JavaScript: no compiler at start.
      const bundle = bundleGuest(module, spec.export ?? 'default', 'worker');
      worker = new Worker(pathToFileURL(bundle), {
        // The node's own flags (a test runner's loaders, --inspect) are not the guest's business.
        execArgv: [],
        env: { ...process.env, ...JS_GUEST_ENV, ...spec.env },
        stdout: true,
        stderr: true,
        ...(opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {}),
      });
    } catch (cause) {
      throw new CairnError(KernelCodes.GUEST_START_FAILED, `cannot start worker guest for actor ${info.actor} (module ${spec.module}): ${(cause as Error).message}`, { cause, details: { actor: info.actor, module: spec.module } });
    }
    return new WorkerChannel(worker, log.child({ actor: info.actor, guest: `worker ${worker.threadId}` }), opts.logLines ?? 200);
  };
}

class WorkerChannel implements GuestChannel {
  readonly describe: string;
  readonly exited: Promise<GuestExit>;
  private readonly output: OutputLines;
  private failure: Error | undefined;
  private terminated = false;
  private gone = false;

  constructor(
    private readonly worker: Worker,
    log: Logger,
    logLines: number,
  ) {
    this.describe = `worker ${worker.threadId}`;
    this.output = new OutputLines(logLines);
    let open = 2;
    for (const stream of [worker.stdout, worker.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        for (const line of this.output.push(chunk)) log.debug(line);
      });
      // Once both are done, an unfinished last line counts as a line (and reaches `logs -f`).
      stream.once('end', () => --open === 0 && this.output.end());
    }
    // An uncaught exception (or a failed import of the module) comes as 'error', then 'exit'.
    worker.on('error', (err) => (this.failure ??= err));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.gone = true;
        resolve({ reason: this.reasonOf(code), code: this.isOom() ? KernelCodes.GUEST_OOM : KernelCodes.GUEST_EXITED });
      });
    });
  }

  send(frame: NodeFrame): void {
    if (!this.gone) this.worker.postMessage(frame);
  }

  onFrame(listener: (frame: GuestFrame) => void): void {
    this.worker.on('message', (frame: GuestFrame) => listener(frame));
  }

  async kill(): Promise<void> {
    if (!this.gone) {
      this.terminated = true;
      await this.worker.terminate();
    }
    await this.exited;
  }

  logs(): Promise<string[]> {
    return Promise.resolve(this.output.snapshot());
  }

  onOutput(listener: (line: string) => void): void {
    this.output.onLine(listener);
  }

  private isOom(): boolean {
    return (this.failure as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
  }

  private reasonOf(code: number): string {
    if (this.failure) return `threw ${this.failure.name}: ${this.failure.message}`;
    if (this.terminated) return 'was terminated';
    return `exited with code ${code}`;
  }
}
