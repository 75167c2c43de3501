import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { FrameDecoder, KernelCodes, encodeFrame } from '../../protocols/index.ts';
import type { GuestFrame, NodeFrame } from '../../protocols/index.ts';
import type { GuestChannel, GuestExit, GuestInfo, GuestUsage } from '../guest-channel.ts';
import { exitFromState } from './container-exit.ts';
import { OutputLines } from './output-lines.ts';
import { sampleUsage } from './container-stats.ts';

/**
 * One running guest container: frames go to its attached stdin and come from its stdout (demuxed
 * from stderr, which is kept as log lines). When it ends, `exited` says why (OOM or exit code)
 * and the container is removed; its last log lines stay readable through `logs()`.
 */
export class ContainerChannel implements GuestChannel {
  readonly describe: string;
  /** Settles once the container has ended and been removed: nothing of it is left on the engine. */
  readonly exited: Promise<GuestExit>;
  private resolveExited!: (exit: GuestExit) => void;
  private readonly listeners: ((frame: GuestFrame) => void)[] = [];
  private readonly early: GuestFrame[] = [];
  private readonly decoder = new FrameDecoder();
  private readonly stderrLines = new OutputLines();
  private ended = false;
  /** Set when the node gave up on the guest (corrupt stream): reported instead of the exit code. */
  private failure: GuestExit | undefined;

  constructor(
    private readonly container: Dockerode.Container,
    private readonly stream: NodeJS.ReadWriteStream,
    demux: (stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void,
    private readonly info: GuestInfo,
    private readonly log: Logger,
    private readonly memoryMb: number | undefined,
  ) {
    this.describe = `container ${container.id.slice(0, 12)}`;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (chunk: Buffer) => this.received(chunk));
    stderr.on('data', (chunk: Buffer) => {
      for (const line of this.stderrLines.push(chunk)) this.log.debug({ actor: info.actor, guest: this.describe }, line);
    });
    stderr.once('end', () => this.stderrLines.end());
    demux(stream, stdout, stderr);
    // The socket breaks when the container goes; `exited` reports that, not an unhandled error.
    stream.on('error', (err: Error) => this.log.debug({ actor: info.actor, guest: this.describe, err: err.message }, 'container stream error'));
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  /**
   * Call once the container has started: from then on `exited` follows it. (A wait sent before
   * the start would answer at once: a created container is already "not running".)
   */
  watch(): void {
    void this.waitForExit(this.memoryMb).then(async (exit) => {
      await this.remove();
      this.resolveExited(exit);
    });
  }

  send(frame: NodeFrame): void {
    if (this.ended) return;
    this.stream.write(encodeFrame(frame));
  }

  onFrame(listener: (frame: GuestFrame) => void): void {
    this.listeners.push(listener);
    for (const f of this.early.splice(0)) listener(f);
  }

  async kill(): Promise<void> {
    try {
      await this.container.kill();
    } catch (err) {
      // 404: removed already; 409: not running any more. Both mean it is gone or going.
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409) throw err;
    }
    await this.exited;
  }

  usage(): Promise<GuestUsage | undefined> {
    return this.ended ? Promise.resolve(undefined) : sampleUsage(this.container);
  }

  logs(): Promise<string[]> {
    return Promise.resolve(this.stderrLines.snapshot());
  }

  onOutput(listener: (line: string) => void): void {
    this.stderrLines.onLine(listener);
  }

  private received(chunk: Buffer): void {
    if (this.failure) return;
    let frames: unknown[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.failure = { code: (err as { code?: string }).code ?? KernelCodes.UNDECODABLE, reason: (err as Error).message };
      this.log.error({ actor: this.info.actor, guest: this.describe }, this.failure.reason);
      void this.kill().catch(() => undefined);
      return;
    }
    for (const frame of frames as GuestFrame[]) {
      if (this.listeners.length === 0) this.early.push(frame);
      else for (const l of this.listeners) l(frame);
    }
  }

  private async waitForExit(memoryMb: number | undefined): Promise<GuestExit> {
    let exit: GuestExit;
    try {
      const waited = (await this.container.wait()) as { StatusCode: number };
      const state = await this.container.inspect().then((i) => i.State, () => undefined);
      exit = exitFromState(state ?? { ExitCode: waited.StatusCode, OOMKilled: false }, memoryMb);
    } catch (err) {
      exit = { code: KernelCodes.GUEST_EXITED, reason: `lost track of the container: ${(err as Error).message}` };
    }
    this.ended = true;
    this.stream.end();
    return this.failure ?? exit;
  }

  private async remove(): Promise<void> {
    try {
      await this.container.remove({ force: true, v: true });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // 404: already gone; 409: removal already in progress (e.g. orphan cleanup).
      if (status !== 404 && status !== 409) this.log.warn({ actor: this.info.actor, guest: this.describe, err: (err as Error).message }, 'removing the container failed');
    }
  }
}
