import type { ErrorCodeEntry } from './errors/cairn-error.ts';
import { deployCodeEntries } from './errors/deploy-codes.ts';
import { kernelCodeEntries } from './errors/kernel-codes.ts';
import { manifestCodeEntries } from './errors/manifest-codes.ts';
import { moduleCodeEntries } from './errors/module-codes.ts';
import { placementCodeEntries } from './errors/placement-codes.ts';
import { supervisorCodeEntries } from './errors/supervisor-codes.ts';

/**
 * The registry: every error code Cairn raises, from every area. A test keeps it, the code and
 * protocols/README.md in step. Areas add their entries in protocols/errors/<area>-codes.ts.
 */
export const errorCodes: readonly ErrorCodeEntry[] = [
  ...kernelCodeEntries,
  ...supervisorCodeEntries,
  ...placementCodeEntries,
  ...manifestCodeEntries,
  ...deployCodeEntries,
  ...moduleCodeEntries,
];
