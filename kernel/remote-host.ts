import type { Logger } from 'pino';
import { match } from 'ts-pattern';
import { CairnError, HOST_PROTOCOL_VERSION, KernelCodes, parseAddress } from '../protocols/index.ts';
import type { Envelope, GuestFrame, GuestSend } from '../protocols/index.ts';
import type { GuestChannel, GuestExit } from './guest-channel.ts';
import type { MessageSender } from './actor-ref.ts';

export type HandleOutcome =
  | { readonly ok: true; readonly reply: unknown; readonly state?: { readonly value: unknown }; readonly sends: readonly GuestSend[] }
  | { readonly ok: false; readonly error: string; readonly code?: string }
  /** The guest died while handling: a crash, and the attempt counts as failed. */
  | { readonly ok: false; readonly exit: GuestExit; readonly error: string; readonly code: string };

interface Waiter {
  resolve(frame: GuestFrame): void;
}

/**
 * The node's side of one guest incarnation: sends init/msg/stop frames, matches the answers, and
 * serves the guest's asks through the node's sender. One message at a time, like inline actors.
 */
export class RemoteHost {
  private n = 0;
  private readonly waiting = new Map<number, Waiter>();
  private onReady: ((frame: GuestFrame) => void) | undefined;
  private onStopped: (() => void) | undefined;
  private gone: GuestExit | undefined;

  constructor(
    readonly channel: GuestChannel,
    private readonly sender: MessageSender,
    private readonly log: Logger,
    private readonly actor: string,
  ) {
    channel.onFrame((frame) => this.dispatch(frame));
    void channel.exited.then((exit) => {
      this.gone = exit;
      const died = { t: 'error', n: -1, error: exit.reason, code: exit.code } as const;
      for (const w of this.waiting.values()) w.resolve(died);
      this.waiting.clear();
      // Dying before `ready` is failing to start (GUEST_EXITED is for guests that were running).
      this.onReady?.({ t: 'failed', error: exit.reason, code: KernelCodes.GUEST_START_FAILED });
      this.onStopped?.();
    });
  }

  get exited(): Promise<GuestExit> {
    return this.channel.exited;
  }

  /** Sends init and waits for ready; resolves with the guest's initial state when it made one. */
  async start(site: string, node: string, state: { value: unknown } | undefined, config: Readonly<Record<string, unknown>> = {}): Promise<{ value: unknown } | undefined> {
    if (this.gone) throw this.crashError(this.gone);
    const answer = new Promise<GuestFrame>((resolve) => (this.onReady = resolve));
    this.channel.send({ t: 'init', v: HOST_PROTOCOL_VERSION, id: this.actor, site, node, ...(state ? { state } : {}), config });
    const frame = await answer;
    this.onReady = undefined;
    if (frame.t === 'failed') {
      throw new CairnError(frame.code ?? KernelCodes.GUEST_START_FAILED, `actor ${this.actor} failed to start in ${this.channel.describe}: ${frame.error}`, { details: { actor: this.actor } });
    }
    return frame.t === 'ready' ? frame.state : undefined;
  }

  async handle(env: Envelope, attempt: number): Promise<HandleOutcome> {
    if (this.gone) return { ok: false, exit: this.gone, error: this.gone.reason, code: this.gone.code };
    const n = ++this.n;
    const answer = new Promise<GuestFrame>((resolve) => this.waiting.set(n, { resolve }));
    this.channel.send({ t: 'msg', n, env, attempt });
    const frame = await answer;
    this.waiting.delete(n);
    if (frame.t === 'done') return { ok: true, reply: frame.reply, ...(frame.state ? { state: frame.state } : {}), sends: frame.sends ?? [] };
    // Re-read after the await: the guest may have died meanwhile (TS narrowed it above).
    const gone = this.gone as GuestExit | undefined;
    if (frame.t === 'error' && frame.n === -1 && gone) return { ok: false, exit: gone, error: gone.reason, code: gone.code };
    if (frame.t === 'error') return { ok: false, error: frame.error, ...(frame.code ? { code: frame.code } : {}) };
    return { ok: false, error: `unexpected frame ${frame.t}` };
  }

  /** Asks the guest to stop, waits up to `timeoutMs`, then kills it. */
  async stop(timeoutMs: number | 'infinity'): Promise<'stopped' | 'killed'> {
    if (this.gone) return 'stopped';
    const stopped = new Promise<void>((resolve) => (this.onStopped = resolve));
    this.channel.send({ t: 'stop' });
    const timer = timeoutMs === 'infinity' ? undefined : new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const outcome = await Promise.race([stopped.then(() => 'stopped' as const), ...(timer ? [timer] : [])]);
    if (outcome === 'timeout') {
      await this.channel.kill();
      return 'killed';
    }
    // The guest said stopped (or died): make sure it is gone.
    await Promise.race([this.channel.exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
    if (!this.gone) await this.channel.kill();
    return 'stopped';
  }

  async kill(): Promise<void> {
    await this.channel.kill();
  }

  private crashError(exit: GuestExit): CairnError {
    return new CairnError(exit.code, `actor ${this.actor} guest ${this.channel.describe} ${exit.reason}`, { details: { actor: this.actor } });
  }

  private dispatch(frame: GuestFrame): void {
    match(frame)
      .with({ t: 'ready' }, { t: 'failed' }, (f) => this.onReady?.(f))
      .with({ t: 'done' }, { t: 'error' }, (f) => this.waiting.get(f.n)?.resolve(f))
      .with({ t: 'ask' }, (f) => void this.serveAsk(f))
      .with({ t: 'log' }, (f) => this.log[f.level]({ actor: this.actor, guest: this.channel.describe }, f.msg))
      .with({ t: 'stopped' }, () => this.onStopped?.())
      .exhaustive();
  }

  private async serveAsk(f: Extract<GuestFrame, { t: 'ask' }>): Promise<void> {
    try {
      const value = await this.sender.ask(parseAddress(f.to), f.body, { timeout: f.timeout, ...(f.hdr ? { headers: f.hdr } : {}), ...(f.ttl !== undefined ? { ttl: f.ttl } : {}) });
      this.channel.send({ t: 'asked', n: f.n, ok: true, value });
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : KernelCodes.REMOTE_ERROR;
      this.channel.send({ t: 'asked', n: f.n, ok: false, error: { code, message: (err as Error).message } });
    }
  }
}
