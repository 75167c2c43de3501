import type { Logger } from 'pino';
import type { KV } from '@nats-io/kv';
import { decodeValue, encodeValue } from '../../protocols/index.ts';
import type { Clock } from '../clock.ts';
import { afterFailedRenewal, leaseStep, observeLease } from './lease-decision.ts';
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
  /** True once the node's NATS connection is closed for good (not merely reconnecting). */
  readonly isClosed: () => boolean;
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
   * lost (resolves why): another node holds it, or the connection is closed for good. A server that
   * cannot be reached is not a loss (see afterFailedRenewal): the leader keeps trying and learns on
   * reconnecting whether a standby took over meanwhile.
   */
  hold(signal: AbortSignal): Promise<LeaseLoss | undefined> {
    this.holding = this.renewUntilLost(signal);
    return this.holding;
  }

  /** True while the record in the bucket is this run's (checked before retaking the mailbox consumer). */
  async stillMine(): Promise<boolean> {
    const record = await this.read();
    return record !== undefined && record.holder.node === this.opts.me.node && record.holder.incarnation === this.opts.me.incarnation;
  }

  private async renewUntilLost(signal: AbortSignal): Promise<LeaseLoss | undefined> {
    const { kv, ttlMs, renewMs, clock, log } = this.opts;
    let lastRenewedAt = clock.now();
    let warnedAt = lastRenewedAt;
    while (!signal.aborted) {
      await clock.sleep(renewMs, signal).catch(() => undefined);
      if (signal.aborted) return undefined;
      if (this.opts.isClosed()) return { why: 'the NATS connection is closed: this node can no longer renew the site lease' };
      try {
        this.revision = await kv.update(LEASE_KEY, this.encode(), this.revision);
        lastRenewedAt = clock.now();
        continue;
      } catch (err) {
        const read = await this.read().then((record) => ({ record }), () => undefined);
        const next = afterFailedRenewal(read, this.opts.me, this.revision);
        if (next.action === 'lost') return { why: next.why, ...(next.holder ? { holder: next.holder } : {}) };
        if (next.action === 'adopt') {
          this.revision = next.revision;
          lastRenewedAt = clock.now();
          continue;
        }
        if (next.action === 'recreate') {
          try {
            this.revision = await kv.create(LEASE_KEY, this.encode());
            lastRenewedAt = clock.now();
            log.warn('the site lease record was missing; this node created it again and keeps leading');
            continue;
          } catch {
            return { why: 'the site lease record was deleted and another node created it first' };
          }
        }
        if (clock.now() - warnedAt >= ttlMs) {
          warnedAt = clock.now();
          log.warn({ err: (err as Error).message, sinceMs: clock.now() - lastRenewedAt }, 'cannot renew the site lease (server unreachable?); still leading, and stepping down on reconnect if another node took over');
        }
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
