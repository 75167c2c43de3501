import type { StoredArtifact } from './artifact-store.ts';

/**
 * How long an artifact no revision references is kept: `cairn apply` stores artifacts before the
 * revision that names them, so one just stored by an apply still writing its revision must not be
 * taken for garbage. @default one hour
 */
export const ARTIFACT_GRACE_MS = 60 * 60 * 1_000;

/**
 * The artifacts to delete: stored, referenced by no kept revision of any application, and older
 * than the grace period. Pure.
 */
export function unreferencedArtifacts(stored: readonly StoredArtifact[], referenced: ReadonlySet<string>, now: number, graceMs = ARTIFACT_GRACE_MS): StoredArtifact[] {
  return stored.filter((a) => !referenced.has(a.sha256) && now - a.storedAt >= graceMs);
}
