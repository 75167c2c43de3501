import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes raised by supervisor-trees/placement. */
export const PlacementCodes = {
  INVALID_PLACEMENT_INPUT: 'CAIRN_INVALID_PLACEMENT_INPUT',
} as const;

export const placementCodeEntries: readonly ErrorCodeEntry[] = [
  {
    code: PlacementCodes.INVALID_PLACEMENT_INPUT,
    summary:
      'The placement input is inconsistent: a bad name, a duplicate request or node, a negative replica count or resource, or two instances of an application with the same instance id.',
    fix: 'Read every problem listed in the error (details.problems) and correct the manifest or the node registration it names.',
  },
];
