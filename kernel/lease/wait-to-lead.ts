import type { Logger } from 'pino';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import type { SiteLease } from './site-lease.ts';

export interface WaitToLeadOptions {
  readonly node: string;
  readonly site: string;
  /** The node's own lifetime: aborting it (the node stops) ends the wait. */
  readonly lifetime: AbortController;
  /** The caller giving up waiting as a standby: aborts `lifetime`. */
  readonly giveUp?: AbortSignal | undefined;
  readonly log: Logger;
  readonly onStandby?: ((leader: string) => void) | undefined;
}

/**
 * Resolves once this node leads its site (holds `lease`); meanwhile it is a standby, logged and
 * reported once per leader. Rejects with CAIRN_ABORTED when the node stops or the caller gives up.
 */
export async function waitToLead(lease: SiteLease, o: WaitToLeadOptions): Promise<void> {
  const giveUp = (): void => o.lifetime.abort();
  o.giveUp?.addEventListener('abort', giveUp, { once: true });
  if (o.giveUp?.aborted) giveUp();
  try {
    await lease.acquire(o.lifetime.signal, (holder, expiresInMs) => {
      o.log.info({ leader: holder.node, expiresInMs }, 'another node leads this site; waiting as its standby');
      o.onStandby?.(holder.node);
    });
  } catch (cause) {
    if (!o.lifetime.signal.aborted) throw cause;
    throw new CairnError(KernelCodes.ABORTED, `node ${o.node} stopped while waiting as standby of site ${o.site}`, { cause });
  } finally {
    o.giveUp?.removeEventListener('abort', giveUp);
  }
}
