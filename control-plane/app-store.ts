import { Kvm } from '@nats-io/kv';
import type { KV, KvEntry } from '@nats-io/kv';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { parseManifestOrThrow } from './manifest/index.ts';
import type { Application, Diagnostic } from './manifest/index.ts';
import { Buckets, CairnError, DeployCodes, isCairnError } from '../protocols/index.ts';
import { APP_RECORD_VERSION, canonicalJson, decodeAppRecord, encodeAppRecord } from './app-record.ts';
import type { AppRecord, AppRevision, RecordedArtifact } from './app-record.ts';
import { diffApps } from './app-diff.ts';
import type { AppDiff } from './app-diff.ts';

/** Revisions kept per application (the KV history): what `cairn rollback` can go back to. @default 20 */
export const DEFAULT_APP_HISTORY = 20;

export interface AppStoreOptions {
  /** @default DEFAULT_APP_HISTORY (at most 64, NATS KV's limit) */
  readonly history?: number;
  /** Clock for `appliedAt`. @default Date.now */
  readonly now?: () => number;
  /**
   * Create the bucket when it is missing. Readers pass false: reading then finds no applications
   * instead of leaving an empty bucket behind (on an edge, where the cloud's is mirrored, a stray
   * local one would be wrong). @default true
   */
  readonly create?: boolean;
}

export interface ApplyResult {
  readonly name: string;
  /** The revision that now holds the application (the existing one when nothing changed). */
  readonly revision: number;
  /** False when the stored application was identical: no new revision was written. */
  readonly changed: boolean;
  readonly warnings: readonly Diagnostic[];
  /**
   * What apply did with each artifact the application references (CairnClient.apply): a behaviour
   * (its digest) or an image (its id), its size, behaviour.module or the image as written, the actors using it, and whether it was sent (false: the
   * cloud held it already), and the bytes sent (an image sends only the chunks the cloud lacked).
   */
  readonly artifacts?: readonly { readonly kind: 'behaviour' | 'file' | 'image'; readonly sha256: string; readonly size: number; readonly source: string; readonly actors: readonly string[]; readonly uploaded: boolean; readonly sentBytes: number }[];
}

export interface RollbackResult extends ApplyResult {
  /** The revision whose application was written again. */
  readonly from: number;
}

/** One line of `cairn get`. */
export interface AppSummary {
  readonly name: string;
  readonly revision: number;
  readonly appliedAt: number;
  readonly source: string;
  readonly actors: readonly string[];
}

/** `cairn get <app>`: the current record and every revision the bucket keeps, oldest first. */
export interface AppDetails extends AppSummary {
  readonly app: Application;
  readonly revisions: readonly AppRevision[];
}

/**
 * The desired state in the cloud: the `cairn_apps` KV bucket, key = application name, value = an
 * AppRecord, KV history = revisions. Writes need the bucket's origin (the cloud) to be reachable.
 */
export class AppStore {
  private constructor(
    private readonly kv: KV,
    private readonly now: () => number,
  ) {}

  /** Opens the bucket on `js`'s JetStream (creating it if missing). */
  static async open(js: JetStreamClient, opts: AppStoreOptions = {}): Promise<AppStore> {
    const kvm = new Kvm(js);
    const kv = await storeCall('open the bucket', () => (opts.create === false ? kvm.open(Buckets.apps) : kvm.create(Buckets.apps, { history: opts.history ?? DEFAULT_APP_HISTORY })));
    return new AppStore(kv, opts.now ?? Date.now);
  }

  /**
   * Validates a manifest (nothing is written when it has errors: ManifestError with every problem),
   * then stores it as a new revision unless the stored application is identical.
   */
  async apply(text: string, source = 'api'): Promise<ApplyResult> {
    const { app, warnings } = parseManifestOrThrow(text, source);
    return { ...(await this.applyApp(app, source)), warnings };
  }

  /** Stores an already validated application (a new revision unless identical), with the artifacts it references. */
  async applyApp(app: Application, source: string, artifacts?: Readonly<Record<string, RecordedArtifact>>): Promise<ApplyResult> {
    const name = app.metadata.name;
    const current = await storeCall('read', () => this.kv.get(name));
    if (current && current.operation === 'PUT' && canonicalJson(decodeAppRecord(current.value, name, current.revision).app) === canonicalJson(app)) {
      return { name, revision: current.revision, changed: false, warnings: [] };
    }
    const record: AppRecord = { v: APP_RECORD_VERSION, app, appliedAt: this.now(), source, ...(artifacts && Object.keys(artifacts).length > 0 ? { artifacts } : {}) };
    const data = encodeAppRecord(record);
    // Optimistic concurrency: the write fails if someone changed the app since it was read.
    const revision = await storeCall(`write application "${name}"`, () => (current ? this.kv.update(name, data, current.revision) : this.kv.create(name, data)).catch((err: unknown) => {
      // Refused by the client before anything is sent: not the network's fault.
      if (/max_payload/i.test((err as Error)?.message ?? '')) {
        throw new CairnError(DeployCodes.APP_TOO_LARGE, `application "${name}" is ${data.length} bytes stored, more than the server takes in one message (its max_payload): keep large data out of the manifest, or raise max_payload on the site servers`, { cause: err, details: { app: name, bytes: data.length } });
      }
      throw err;
    }), name);
    return { name, revision, changed: true, warnings: [] };
  }

  async list(): Promise<AppSummary[]> {
    const names: string[] = [];
    const keys = await storeCall('list', () => this.kv.keys().catch(noBucketAs(emptyKeys<string>())));
    for await (const k of keys) names.push(k);
    const out: AppSummary[] = [];
    for (const name of names.sort()) {
      const entry = await storeCall('read', () => this.kv.get(name));
      if (entry?.operation === 'PUT') out.push(summary(name, entry.revision, decodeAppRecord(entry.value, name, entry.revision)));
    }
    return out;
  }

  /** What applying `app` (validated) would change against the stored application; stores nothing. */
  async plan(app: Application): Promise<AppDiff> {
    const name = app.metadata.name;
    const current = await storeCall('read', () => this.kv.get(name).catch(noBucketAs(null)));
    const stored = current && current.operation === 'PUT' ? { app: decodeAppRecord(current.value, name, current.revision).app, revision: current.revision } : undefined;
    return diffApps(stored, app);
  }

  /** The current application and its kept revisions; CAIRN_APP_NOT_FOUND when absent or deleted. */
  async get(name: string): Promise<AppDetails> {
    const revisions = await this.revisions(name);
    const last = revisions.at(-1);
    if (!last || last.type === 'deleted') throw notFound(name, last);
    return { ...summary(name, last.revision, last.record), app: last.record.app, revisions };
  }

  /** Every revision the bucket still holds for `name`, oldest first. */
  async revisions(name: string): Promise<AppRevision[]> {
    const entries: KvEntry[] = [];
    const iter = await storeCall('read history', () => this.kv.history({ key: name }).catch(noBucketAs(emptyKeys<KvEntry>())));
    for await (const e of iter) entries.push(e);
    return entries.map((e): AppRevision =>
      e.operation === 'PUT' ? { type: 'applied', revision: e.revision, record: decodeAppRecord(e.value, name, e.revision) } : { type: 'deleted', revision: e.revision, at: e.created.getTime() },
    );
  }

  /**
   * Every kept revision of every application, deleted ones' included (`rollback` can bring them
   * back): what decides which artifacts are still in use.
   */
  async keptRevisions(): Promise<{ readonly name: string; readonly revision: number; readonly record: AppRecord }[]> {
    const out: { name: string; revision: number; record: AppRecord }[] = [];
    const iter = await storeCall('read history', () => this.kv.history().catch(noBucketAs(emptyKeys<KvEntry>())));
    for await (const e of iter) if (e.operation === 'PUT') out.push({ name: e.key, revision: e.revision, record: decodeAppRecord(e.value, e.key, e.revision) });
    return out;
  }

  /** Deletes the application (every site stops it); its revisions stay for `rollback`. */
  async delete(name: string): Promise<{ readonly revision: number }> {
    const current = await storeCall('read', () => this.kv.get(name).catch(noBucketAs(null)));
    if (!current || current.operation !== 'PUT') throw notFound(name, undefined);
    await storeCall(`delete application "${name}"`, () => this.kv.delete(name, { previousSeq: current.revision }), name);
    const after = await storeCall('read', () => this.kv.get(name));
    return { revision: after?.revision ?? current.revision };
  }

  /**
   * Writes an earlier revision again as a new one (kubectl rollout undo). Default target: the
   * applied revision before the current one; for a deleted app, its last applied revision.
   */
  async rollback(name: string, toRevision?: number): Promise<RollbackResult> {
    const revisions = await this.revisions(name);
    const applied = revisions.filter((r): r is Extract<AppRevision, { type: 'applied' }> => r.type === 'applied');
    if (applied.length === 0) throw notFound(name, undefined);
    const last = revisions.at(-1)!;
    let target: Extract<AppRevision, { type: 'applied' }> | undefined;
    if (toRevision !== undefined) {
      target = applied.find((r) => r.revision === toRevision);
      if (!target) {
        throw new CairnError(DeployCodes.APP_REVISION_NOT_FOUND, `application "${name}" has no revision ${toRevision}; kept revisions: ${applied.map((r) => r.revision).join(', ')} (see \`cairn get ${name}\`)`, {
          details: { app: name, revision: toRevision, revisions: applied.map((r) => r.revision) },
        });
      }
    } else if (last.type === 'deleted') {
      target = applied.at(-1);
    } else {
      target = applied.at(-2);
      if (!target) {
        throw new CairnError(DeployCodes.APP_NO_PREVIOUS_REVISION, `application "${name}" has only revision ${last.revision}: there is nothing to roll back to; apply a corrected manifest or \`cairn delete ${name}\``, {
          details: { app: name, revision: last.revision },
        });
      }
    }
    const result = await this.applyApp(target!.record.app, `rollback to revision ${target!.revision}`, target!.record.artifacts);
    return { ...result, from: target!.revision };
  }
}

function summary(name: string, revision: number, record: AppRecord): AppSummary {
  return { name, revision, appliedAt: record.appliedAt, source: record.source, actors: record.app.spec.actors.map((a) => a.id) };
}

function notFound(name: string, last: AppRevision | undefined): CairnError {
  const why = last?.type === 'deleted' ? `was deleted at revision ${last.revision} (\`cairn rollback ${name}\` restores it)` : 'is not in bucket cairn_apps';
  return new CairnError(DeployCodes.APP_NOT_FOUND, `application "${name}" ${why}; list applications with \`cairn get\`, apply one with \`cairn apply -f app.yaml\``, { details: { app: name } });
}

/** A bucket opened without creating it, and missing: what reading it finds (nothing). */
function noBucketAs<T>(empty: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return empty;
    throw err;
  };
}

async function* none<T>(): AsyncGenerator<T> {}

function emptyKeys<T>(): AsyncIterable<T> & { stop(): void } {
  return Object.assign(none<T>(), { stop: () => undefined });
}

/** Runs a bucket operation, turning client failures into CAIRN_APP_STORE_UNAVAILABLE / CAIRN_APP_CONFLICT. */
async function storeCall<T>(what: string, fn: () => Promise<T>, app?: string): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (isCairnError(cause)) throw cause;
    if (cause instanceof JetStreamApiError && (cause.code === JetStreamApiCodes.StreamWrongLastSequence || cause.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) {
      throw new CairnError(DeployCodes.APP_CONFLICT, `application "${app}" was changed by someone else while this command ran; check it with \`cairn get ${app}\` and run the command again`, { cause, details: { app } });
    }
    throw new CairnError(DeployCodes.APP_STORE_UNAVAILABLE, `cannot ${what} in bucket ${Buckets.apps}: ${(cause as Error).message}; check that the cloud site is reachable (--server, and --cloud-domain when connected to an edge)`, {
      cause,
      details: { bucket: Buckets.apps, ...(app === undefined ? {} : { app }) },
    });
  }
}

export async function applyManifest(js: JetStreamClient, text: string, source?: string): Promise<ApplyResult> {
  return (await AppStore.open(js)).apply(text, source);
}
export async function getApps(js: JetStreamClient): Promise<AppSummary[]> {
  return (await AppStore.open(js)).list();
}
export async function getApp(js: JetStreamClient, name: string): Promise<AppDetails> {
  return (await AppStore.open(js)).get(name);
}
export async function deleteApp(js: JetStreamClient, name: string): Promise<{ readonly revision: number }> {
  return (await AppStore.open(js)).delete(name);
}
export async function rollbackApp(js: JetStreamClient, name: string, toRevision?: number): Promise<RollbackResult> {
  return (await AppStore.open(js)).rollback(name, toRevision);
}
