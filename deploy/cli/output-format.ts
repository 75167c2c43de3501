import { Option } from 'commander';
import type { Command } from 'commander';

/** Machine-readable forms a command prints its data in. */
export const OUTPUT_FORMATS = ['json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The flags that choose it: `-o json|yaml`, and `--json` (kept: it is `-o json`). */
export interface OutputFlags {
  readonly json?: boolean;
  readonly output?: OutputFormat;
}

/** Adds `-o, --output <format>` and `--json` to a command. */
export function addOutputOptions(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'print machine-readable data instead of a table: json or yaml').choices(OUTPUT_FORMATS)).option('--json', 'print machine-readable JSON (the same as -o json)');
}

/** The format the flags ask for; undefined: the human-readable form. `-o` wins over `--json`. */
export function outputFormat(flags: OutputFlags): OutputFormat | undefined {
  return flags.output ?? (flags.json ? 'json' : undefined);
}

/**
 * `value` in `format`: JSON indented (one line when `compact`, for results of one action), or
 * YAML (the library loads only when asked for: most calls never need it).
 */
export async function renderData(format: OutputFormat, value: unknown, opts: { readonly compact?: boolean } = {}): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, opts.compact ? undefined : 2);
  const { stringify } = await import('yaml');
  return stringify(value ?? null).trimEnd();
}
