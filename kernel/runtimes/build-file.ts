import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { buildSync } from 'esbuild';
import type { BuildOptions } from 'esbuild';

/**
 * Runs an esbuild build into `outfile` through a temporary file renamed into place, so another
 * process importing the same bundle (parallel test workers, two nodes of one installation) sees
 * the old file or the whole new one, never a file esbuild is still writing (read as a module with
 * no exports).
 */
export function buildFileAtomically(options: Omit<BuildOptions, 'outfile' | 'outdir' | 'write'>, outfile: string): void {
  const temporary = `${outfile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.mjs`;
  try {
    buildSync({ ...options, outfile: temporary });
    renameSync(temporary, outfile);
  } finally {
    rmSync(temporary, { force: true });
  }
}
