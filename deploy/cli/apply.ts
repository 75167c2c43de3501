import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatBytes } from './format-ps.ts';
import { dirname } from 'node:path';
import { ManifestCodes, isCairnError } from '../../protocols/index.ts';
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

/**
 * Reads and validates the manifest `-f` names, before connecting, so that a bad manifest is
 * reported even with no site running (third-party modules are imported from beside it, as the
 * sites will). Prints every problem and returns undefined when it is invalid (exit code set).
 */
async function readValidManifest(file: string, io: CliIo, setExitCode: (code: number) => void, nothing: string): Promise<string | undefined> {
  // Manifest validation (TypeBox, Ajv, YAML) loads only for the commands that read manifests.
  const { formatDiagnostics, ManifestError, parseManifestWithModules } = await import('../../control-plane/index.ts');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ManifestError(ManifestCodes.NOT_FOUND, `manifest file ${file} cannot be read (${(cause as Error).message}): check the path`, { source: file, cause });
  }
  const parsed = await parseManifestWithModules(text, file, dirname(file));
  const format = { positions: true, source: file };
  if (!parsed.ok) {
    // Nothing is sent: an invalid manifest is rejected whole, with every problem.
    io.err(formatDiagnostics([...parsed.errors, ...parsed.warnings], format));
    io.err(`${file}: ${parsed.errors.length} error${parsed.errors.length === 1 ? '' : 's'}; ${nothing}`);
    setExitCode(ExitCodes.error);
    return undefined;
  }
  if (parsed.warnings.length > 0) io.err(formatDiagnostics(parsed.warnings, format));
  return text;
}

/** Prints what applying `file` would change (`apply --dry-run`, `diff`); resolves whether anything would. */
async function printPlan(file: string, text: string, flags: AppFlags, io: CliIo): Promise<boolean> {
  let changed = false;
  await withClient(flags, io, async (client) => {
    const plan = await client.planApply(text, { source: file, appDir: dirname(file) });
    changed = plan.changed;
    const format = outputFormat(flags);
    if (format) return io.out(await renderData(format, plan));
    const { formatAppDiff } = await import('../../control-plane/index.ts');
    for (const line of formatAppDiff(plan)) io.out(line);
  });
  return changed;
}

/**
 * `artifacts: 1 stored (12.3 KiB), 1 already there`, with the bytes sent (an image sends only the
 * chunks the cloud lacked: `1 stored (1.1 MiB of 52.4 MiB)`); undefined when the app delivers nothing.
 */
export function artifactsLine(artifacts: readonly { readonly size: number; readonly uploaded: boolean; readonly sentBytes: number }[]): string | undefined {
  if (artifacts.length === 0) return undefined;
  const stored = artifacts.filter((a) => a.uploaded);
  const sent = stored.reduce((n, a) => n + a.sentBytes, 0);
  const size = stored.reduce((n, a) => n + a.size, 0);
  return `artifacts: ${stored.length} stored${stored.length > 0 ? ` (${formatBytes(sent)}${sent === size ? '' : ` of ${formatBytes(size)}`})` : ''}, ${artifacts.length - stored.length} already there`;
}

export function registerApply(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addAppOptions(
    program
      .command('apply')
      .description('validate an application manifest and store it in the cloud as a new revision; every site runs its part')
      .requiredOption('-f, --file <path>', 'the manifest (YAML, kind: Application)')
      .option('--dry-run', 'validate, and show what would change (actors added, removed, changed, with their sites); store nothing'),
  ).action(async (flags: AppFlags & { file: string; dryRun?: boolean }) => {
    const text = await readValidManifest(flags.file, io, setExitCode, flags.dryRun ? 'nothing would be applied' : 'nothing applied');
    if (text === undefined) return;
    if (flags.dryRun) {
      await printPlan(flags.file, text, flags, io);
      return;
    }
    await withClient(flags, io, async (client) => {
      const result = await client.apply(text, { source: flags.file, appDir: dirname(flags.file) });
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, { name: result.name, revision: result.revision, changed: result.changed, warnings: result.warnings.length, artifacts: result.artifacts ?? [] }, { compact: true }));
      io.out(result.changed ? `application "${result.name}" applied: revision ${result.revision}` : `application "${result.name}" unchanged: revision ${result.revision}`);
      const line = artifactsLine(result.artifacts ?? []);
      if (line) io.out(line);
    });
  });
}

export function registerDiff(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addAppOptions(
    program
      .command('diff')
      .description('show what applying a manifest would change, per actor and site; exits 1 when something would (as kubectl diff), 0 when nothing')
      .requiredOption('-f, --file <path>', 'the manifest (YAML, kind: Application)'),
  ).action(async (flags: AppFlags & { file: string }) => {
    // As kubectl diff: 1 means "would change", so a failure must be something else (2).
    const failed = (): void => setExitCode(ExitCodes.usage);
    try {
      const text = await readValidManifest(flags.file, io, failed, 'nothing compared');
      if (text === undefined) return;
      if (await printPlan(flags.file, text, flags, io)) setExitCode(ExitCodes.error);
    } catch (err) {
      io.err(isCairnError(err) ? `error [${err.code}]: ${err.message}` : `error: ${(err as Error).message}`);
      failed();
    }
  });
}
