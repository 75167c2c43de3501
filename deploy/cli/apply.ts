import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { dirname } from 'node:path';
import { ManifestCodes } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import { addConnectionOptions } from './connection-options.ts';
import { ExitCodes } from './exit-codes.ts';
import { withClient } from './with-client.ts';
import type { ClientFlags } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

/** Connection flags of the app commands: the usual ones, plus the cloud's domain when connected to an edge. */
export type AppFlags = ClientFlags;

/** Adds the connection options and --cloud-domain to an app command (apply, get, delete, rollback). */
export function addAppOptions(cmd: Command): Command {
  return addConnectionOptions(cmd).option('--cloud-domain <domain>', "JetStream domain of the cloud site, when --server is an edge (writes then go through the edge's leaf link)");
}

export function registerApply(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addAppOptions(
    program
      .command('apply')
      .description('validate an application manifest and store it in the cloud as a new revision; every site runs its part')
      .requiredOption('-f, --file <path>', 'the manifest (YAML, kind: Application)'),
  ).action(async (flags: AppFlags & { file: string }) => {
    // Manifest validation (TypeBox, Ajv, YAML) loads only for the commands that read manifests.
    const { formatDiagnostics, ManifestError, parseManifestWithModules } = await import('../../control-plane/index.ts');
    let text: string;
    try {
      text = await readFile(flags.file, 'utf8');
    } catch (cause) {
      throw new ManifestError(ManifestCodes.NOT_FOUND, `manifest file ${flags.file} cannot be read (${(cause as Error).message}): check the path`, { source: flags.file, cause });
    }
    // Checked before connecting, so that a bad manifest is reported even with no site running.
    // Third-party modules are imported from beside the manifest, as the sites will, and checked.
    const parsed = await parseManifestWithModules(text, flags.file, dirname(flags.file));
    const format = { positions: true, source: flags.file };
    if (!parsed.ok) {
      // Nothing is sent: an invalid manifest is rejected whole, with every problem.
      io.err(formatDiagnostics([...parsed.errors, ...parsed.warnings], format));
      io.err(`${flags.file}: ${parsed.errors.length} error${parsed.errors.length === 1 ? '' : 's'}; nothing applied`);
      setExitCode(ExitCodes.error);
      return;
    }
    if (parsed.warnings.length > 0) io.err(formatDiagnostics(parsed.warnings, format));
    await withClient(flags, io, async (client) => {
      const result = await client.apply(text, { source: flags.file, appDir: dirname(flags.file) });
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, { name: result.name, revision: result.revision, changed: result.changed, warnings: parsed.warnings.length }, { compact: true }));
      io.out(result.changed ? `application "${result.name}" applied: revision ${result.revision}` : `application "${result.name}" unchanged: revision ${result.revision}`);
    });
  });
}
