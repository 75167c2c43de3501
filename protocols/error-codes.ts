import type { ErrorCodeEntry } from './errors/cairn-error.ts';
import { kernelCodeEntries } from './errors/kernel-codes.ts';

/**
 * The registry: every error code Cairn raises, from every area. A test keeps it, the code and
 * protocols/README.md in step. Areas add their entries in protocols/errors/<area>-codes.ts.
 */
export const errorCodes: readonly ErrorCodeEntry[] = [...kernelCodeEntries];
