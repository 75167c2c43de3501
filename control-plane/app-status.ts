import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Buckets } from '../protocols/index.ts';

/** What a site's app controller reports for one application (best effort, for `cairn get`). */
export interface AppStatus {
  readonly v: 1;
  readonly app: string;
  readonly site: string;
  readonly node: string;
  /** The desired revision this site has acted on. */
  readonly revision: number;
  /**
   * running: its tree is up; failed: starting it failed (see error); fetching: its code or image
   * has not reached this site yet (see error for what it waits for; an older revision may still
   * run) and it starts once it has.
   */
  readonly state: 'running' | 'failed' | 'fetching';
  /** Ids of the app's actors on this site. */
  readonly actors: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
  /** While `fetching`: how many bytes of the app's artifacts (behaviours, files, images) this site's store holds, of those whose size it knows. */
  readonly progress?: FetchProgress;
  readonly updatedAt: number;
}

export interface FetchProgress {
  readonly bytes: number;
  readonly totalBytes: number;
}

const encoder = new TextEncoder();

/** The `cairn_app_status_<site>` bucket of one site (history 1: only the latest report counts). */
export class AppStatusBucket {
  private constructor(private readonly kv: KV) {}

  static async open(js: JetStreamClient, site: string): Promise<AppStatusBucket> {
    return new AppStatusBucket(await new Kvm(js).create(Buckets.appStatus(site), { history: 1 }));
  }

  /** Wraps a bucket opened elsewhere (e.g. bound without creating it). */
  static fromKv(kv: KV): AppStatusBucket {
    return new AppStatusBucket(kv);
  }

  async put(status: AppStatus): Promise<void> {
    await this.kv.put(status.app, encoder.encode(JSON.stringify(status)));
  }

  async remove(app: string): Promise<void> {
    await this.kv.delete(app);
  }

  async list(): Promise<AppStatus[]> {
    const out: AppStatus[] = [];
    for await (const key of await this.kv.keys()) {
      const e = await this.kv.get(key);
      if (e?.operation !== 'PUT') continue;
      try {
        const s = e.json<AppStatus>();
        if (s.v === 1) out.push(s);
      } catch {
        // A report this version cannot read is skipped: status is informational only.
      }
    }
    return out.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  }
}

/**
 * Reads a site's status bucket through `js` (another domain's, via jetstream(nc, { domain })).
 * Best effort: an unreachable site or a missing bucket gives undefined, not an error.
 */
export async function readAppStatuses(js: JetStreamClient, site: string): Promise<AppStatus[] | undefined> {
  try {
    const kv = await new Kvm(js).open(Buckets.appStatus(site));
    await kv.status();
    const bucket = AppStatusBucket.fromKv(kv);
    return await bucket.list();
  } catch {
    return undefined;
  }
}
