import type { Logger } from 'pino';
import type { KV } from '@nats-io/kv';
import { decodeValue, encodeValue } from '../../protocols/index.ts';
import type { Clock } from '../clock.ts';
import { leaderMustStepDown, leaseStep, observeLease } from './lease-decision.ts';
import type { LeaseHolder, LeaseView } from './lease-decision.ts';

/** The one key of a site's lease bucket. */
export const LEASE_KEY = 'leader';

export interface SiteLeaseOptions {
  /** The site's lease bucket (history 1). */
  readonly kv: KV;
  readonly me: LeaseHolder;
  /** A lease not renewed for this long may be claimed by another node. */
  readonly ttlMs: number;
  /** How often the leader renews and the others look. */
  readonly renewMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Why a leader stopped being one. */
export interface LeaseLoss {
  readonly why: string;
  /** The node that holds the lease now, when known. */
  readonly holder?: string;
}

interface LeaseRecord {
  readonly v: 1;
  readonly node: string;
  readonly incarnation: string;
  readonly since: number;
}

/**
 * The effects around `leaseStep`: reads the lease record, creates/claims/renews it with the
 * bucket's compare-and-set, and tells the caller when this node became leader and when it lost it.
 */
export class SiteLease {
  private revision = 0;
  private holding: Promise<LeaseLoss | undefined> | undefined;

  constructor(private readonly opts: SiteLeaseOptions) {}

  /**
   * Resolves once this node holds the lease. While another node holds a live one, `onWait` is told
   * who (once per holder) and the lease is checked every `renewMs`. Rejects when `signal` aborts.
   */
  async acquire(signal: AbortSignal, onWait?: (holder: LeaseHolder, expiresInMs: number) => void): Promise<void> {
    const { kv, me, ttlMs, renewMs, clock, log } = this.opts;
    let view: LeaseView | undefined;
    let toldAbout: string | undefined;
    for (;;) {
      signal.throwIfAborted();
      try {
        view = observeLease(view, await this.read(), clock.now());
        const step = leaseStep(view, me, clock.now(), ttlMs);
        if (step.action === 'wait') {
          const key = `${step.holder.node}/${step.holder.incarnation}`;
          if (toldAbout !== key) onWait?.(step.holder, step.expiresInMs);
          toldAbout = key;
        } else {
          const value = this.encode();
          this.revision = step.action === 'create' ? await kv.create(LEASE_KEY, value) : await kv.update(LEASE_KEY, value, step.revision);
          if (step.action === 'claim') log.warn({ node: me.node, why: step.why }, 'took over the site lease');
          return;
        }
      } catch (err) {
        // Lost a race to create or claim (another node wrote first), or the server is unreachable: look again.
        log.debug({ err: (err as Error).message }, 'lease not acquired this round');
      }
      await clock.sleep(renewMs, signal);
    }
  }

  /**
   * Renews the lease every `renewMs` until `signal` aborts (resolves undefined) or the lease is
   * lost (resolves why): another node wrote it, or it could not be renewed for `ttlMs`.
   */
  hold(signal: AbortSignal): Promise<LeaseLoss | undefined> {
    this.holding = this.renewUntilLost(signal);
    return this.holding;
  }

  private async renewUntilLost(signal: AbortSignal): Promise<LeaseLoss | undefined> {
    const { kv, ttlMs, renewMs, clock, log } = this.opts;
    let lastRenewedAt = clock.now();
    while (!signal.aborted) {
      await clock.sleep(renewMs, signal).catch(() => undefined);
      if (signal.aborted) return undefined;
      try {
        this.revision = await kv.update(LEASE_KEY, this.encode(), this.revision);
        lastRenewedAt = clock.now();
        continue;
      } catch (err) {
        const read = await this.read().then((record) => ({ record }), () => undefined);
        const me = this.opts.me;
        if (read !== undefined && read.record === undefined) return { why: 'the site lease record was deleted' };
        const holder = read?.record?.holder;
        if (holder && (holder.node !== me.node || holder.incarnation !== me.incarnation)) return { why: `node ${holder.node} holds the site lease now`, holder: holder.node };
        if (holder && read?.record && read.record.revision !== this.revision) {
          // Our renewal was stored but its answer was lost: carry on from the stored revision.
          this.revision = read.record.revision;
          lastRenewedAt = clock.now();
          continue;
        }
        log.warn({ err: (err as Error).message }, 'could not renew the site lease');
      }
      if (leaderMustStepDown(lastRenewedAt, clock.now(), ttlMs)) {
        return { why: `the site lease could not be renewed for ${clock.now() - lastRenewedAt} ms (ttl ${ttlMs} ms); another node may have taken over` };
      }
    }
    return undefined;
  }

  /**
   * Gives the lease up (graceful stop) so that a standby takes over at once instead of after the
   * ttl. Abort the signal given to `hold` first: a renewal still in flight is waited for, so the
   * delete is made at the revision actually stored.
   */
  async release(): Promise<void> {
    await this.holding?.catch(() => undefined);
    if (this.revision === 0) return;
    await this.opts.kv.delete(LEASE_KEY, { previousSeq: this.revision }).catch(() => undefined);
    this.revision = 0;
  }

  private async read(): Promise<LeaseView['record']> {
    const entry = await this.opts.kv.get(LEASE_KEY);
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
    const r = decodeValue(entry.value) as Partial<LeaseRecord>;
    // Unreadable (written by something else): treat it as a holder that never renews, so it expires.
    if (typeof r.node !== 'string' || typeof r.incarnation !== 'string') return { holder: { node: '(unreadable lease record)', incarnation: '' }, revision: entry.revision };
    return { holder: { node: r.node, incarnation: r.incarnation }, revision: entry.revision };
  }

  private encode(): Uint8Array {
    const record: LeaseRecord = { v: 1, node: this.opts.me.node, incarnation: this.opts.me.incarnation, since: this.opts.clock.now() };
    return encodeValue(record);
  }
}
