import type { Application } from './manifest/index.ts';
import { CairnError, DeployCodes } from '../protocols/index.ts';

/** The record version this code writes; a reader refuses others (CAIRN_APP_RECORD_INVALID). */
export const APP_RECORD_VERSION = 1;

/** What `cairn apply` stores under the app's name in the cairn_apps bucket: the desired state. */
export interface AppRecord {
  readonly v: typeof APP_RECORD_VERSION;
  /** The validated application, defaults applied. */
  readonly app: Application;
  /** When it was written (ms since the epoch). */
  readonly appliedAt: number;
  /** Where it came from: a file name, "rollback of revision 7", "api". */
  readonly source: string;
  /**
   * The artifacts its actors reference (`artifact:sha256:<hex>`), by digest: size and what each was
   * built from (as the manifest wrote it). Absent in records of apps with no delivered code.
   */
  readonly artifacts?: Readonly<Record<string, RecordedArtifact>>;
}

/** What a revision records of one artifact it uses. */
export interface RecordedArtifact {
  readonly size: number;
  readonly source: string;
}

/** One revision of an app: its KV revision (the stream sequence) and the record, or a deletion. */
export type AppRevision =
  | { readonly type: 'applied'; readonly revision: number; readonly record: AppRecord }
  | { readonly type: 'deleted'; readonly revision: number; readonly at: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeAppRecord(record: AppRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

export function decodeAppRecord(data: Uint8Array, key: string, revision: number): AppRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (cause) {
    throw invalid(key, revision, 'it is not JSON', cause);
  }
  const o = parsed as Partial<AppRecord> | null;
  if (typeof o !== 'object' || o === null || o.v !== APP_RECORD_VERSION) {
    throw invalid(key, revision, `its version is ${JSON.stringify((o as { v?: unknown } | null)?.v)}, this Cairn reads ${APP_RECORD_VERSION}`);
  }
  if (typeof o.app !== 'object' || o.app === null || typeof o.appliedAt !== 'number' || typeof o.source !== 'string') {
    throw invalid(key, revision, 'it lacks app, appliedAt or source');
  }
  return o as AppRecord;
}

/** JSON with object keys sorted: two equal applications give the same text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function invalid(key: string, revision: number, why: string, cause?: unknown): CairnError {
  return new CairnError(DeployCodes.APP_RECORD_INVALID, `revision ${revision} of application "${key}" in bucket cairn_apps cannot be read: ${why}; re-apply the application with \`cairn apply -f\``, {
    cause,
    details: { app: key, revision },
  });
}
