import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes thrown by control-plane/manifest (CairnError.code). */
export const ManifestCodes = {
  INVALID: 'CAIRN_MANIFEST_INVALID',
  NOT_FOUND: 'CAIRN_MANIFEST_NOT_FOUND',
} as const;

export const manifestCodeEntries: readonly ErrorCodeEntry[] = [
  {
    code: ManifestCodes.INVALID,
    summary: 'An application manifest has errors; the error carries every diagnostic with its path.',
    fix: 'Fix each "[error] <path>: ..." line listed in the message; see docs/manifest.md for every field.',
  },
  {
    code: ManifestCodes.NOT_FOUND,
    summary: 'The manifest file given to `cairn apply -f` (or loadManifestFile) does not exist.',
    fix: 'Check the path; relative paths resolve against the current working directory.',
  },
];

/**
 * Codes of the individual diagnostics a manifest check produces (Diagnostic.code). Stable: tools
 * may match on them. Each is documented in docs/manifest.md.
 */
export const ManifestDiagnosticCodes = {
  YAML_SYNTAX: 'CAIRN_MANIFEST_YAML_SYNTAX',
  YAML_WARNING: 'CAIRN_MANIFEST_YAML_WARNING',
  EMPTY: 'CAIRN_MANIFEST_EMPTY',
  MULTIPLE_DOCUMENTS: 'CAIRN_MANIFEST_MULTIPLE_DOCUMENTS',
  TOO_LARGE: 'CAIRN_MANIFEST_TOO_LARGE',
  TOO_DEEP: 'CAIRN_MANIFEST_TOO_DEEP',
  YAML_ALIASES: 'CAIRN_MANIFEST_YAML_ALIASES',
  UNKNOWN_FIELD: 'CAIRN_MANIFEST_UNKNOWN_FIELD',
  INVALID_KEY: 'CAIRN_MANIFEST_INVALID_KEY',
  MISSING_FIELD: 'CAIRN_MANIFEST_MISSING_FIELD',
  WRONG_TYPE: 'CAIRN_MANIFEST_WRONG_TYPE',
  NOT_ALLOWED: 'CAIRN_MANIFEST_NOT_ALLOWED',
  OUT_OF_RANGE: 'CAIRN_MANIFEST_OUT_OF_RANGE',
  BAD_FORMAT: 'CAIRN_MANIFEST_BAD_FORMAT',
  DUPLICATE_ACTOR_ID: 'CAIRN_MANIFEST_DUPLICATE_ACTOR_ID',
  UNKNOWN_ROUTE_TARGET: 'CAIRN_MANIFEST_UNKNOWN_ROUTE_TARGET',
  BAD_ROUTE_SOURCE: 'CAIRN_MANIFEST_BAD_ROUTE_SOURCE',
  DUPLICATE_ROUTE: 'CAIRN_MANIFEST_DUPLICATE_ROUTE',
  BAD_MODULE_STREAM: 'CAIRN_MANIFEST_BAD_MODULE_STREAM',
  CONTAINER_WITHOUT_IMAGE: 'CAIRN_MANIFEST_CONTAINER_WITHOUT_IMAGE',
  CONTAINER_SETTINGS_IGNORED: 'CAIRN_MANIFEST_CONTAINER_SETTINGS_IGNORED',
  REPLICAS_IGNORED: 'CAIRN_MANIFEST_REPLICAS_IGNORED',
  SPREAD_WITHOUT_EFFECT: 'CAIRN_MANIFEST_SPREAD_WITHOUT_EFFECT',
  BACKOFF_RANGE: 'CAIRN_MANIFEST_BACKOFF_RANGE',
  BEHAVIOUR_OR_MODULE: 'CAIRN_MANIFEST_BEHAVIOUR_OR_MODULE',
  UNKNOWN_MODULE: 'CAIRN_MANIFEST_UNKNOWN_MODULE',
  MODULE_MODE_UNSUPPORTED: 'CAIRN_MANIFEST_MODULE_MODE_UNSUPPORTED',
  MODULE_NOT_LOADED: 'CAIRN_MANIFEST_MODULE_NOT_LOADED',
  MODULE_CONTAINER_IMAGE: 'CAIRN_MANIFEST_MODULE_CONTAINER_IMAGE',
  SETTING_NOT_FOR_MODE: 'CAIRN_MANIFEST_SETTING_NOT_FOR_MODE',
  BEHAVIOUR_EXPORT_NOT_FOR_MODE: 'CAIRN_MANIFEST_BEHAVIOUR_EXPORT_NOT_FOR_MODE',
} as const;

export type ManifestDiagnosticCode = (typeof ManifestDiagnosticCodes)[keyof typeof ManifestDiagnosticCodes];
