// The command sessions that README.md and docs/ show, read from their code blocks, and how their
// sample output is compared with what the commands really print.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One command of a code block, with the output the docs show for it. */
export interface DocCommand {
  readonly file: string;
  /** 1-based line of the command in the file. */
  readonly line: number;
  /** As written, without the `$ ` prompt. */
  readonly text: string;
  /** The lines shown after it, up to the next command or the end of the block. */
  readonly output: readonly string[];
}

/** A code block that shows commands. */
export interface DocBlock {
  readonly file: string;
  readonly line: number;
  readonly commands: readonly DocCommand[];
  /** Why the block is not run by the walkthrough test, from `<!-- not run: why -->` just above it. */
  readonly notRun?: string;
}

/**
 * Every code block that shows a `cairn` command: blocks with `$ ` prompts (each prompt a command,
 * the lines after it its output), and shell blocks without prompts whose lines run `cairn` or
 * `npx cairn` (each such line a command, shown without output). Pure.
 */
export function docBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trimStart().startsWith('```')) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith('```')) end++;
    const body = lines.slice(start + 1, end);
    const notRun = /^<!-- not run: (.*) -->$/.exec(lines[start - 1]?.trim() ?? '')?.[1];
    const prompted = body.some((l) => l.startsWith('$ '));
    const commands: DocCommand[] = [];
    body.forEach((l, k) => {
      const line = start + 2 + k;
      if (prompted) {
        if (l.startsWith('$ ')) commands.push({ file, line, text: l.slice(2), output: [] });
        else if (commands.length > 0) (commands.at(-1)!.output as string[]).push(l);
      } else if (/(^|&& )(npx )?cairn /.test(l.trim())) {
        commands.push({ file, line, text: l.trim(), output: [] });
      }
    });
    if (commands.some((c) => /\bcairn\b/.test(c.text))) blocks.push({ file, line: start + 1, commands, ...(notRun === undefined ? {} : { notRun }) });
    i = end;
  }
  return blocks;
}

/** The blocks of README.md and every docs/*.md under `root`. */
export function allDocBlocks(root: string): DocBlock[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return files.flatMap((f) => docBlocks(f, readFileSync(join(root, f), 'utf8')));
}

/**
 * A line as compared: what differs from run to run or machine to machine is masked (times,
 * durations, digests, absolute paths, URLs' ports, every other number), runs of blanks are one
 * (tables align to their widest cell). Pure.
 */
export function maskLine(line: string): string {
  return line
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\b\d\d:\d\d:\d\d\.\d{3}\b/g, '<time>')
    .replace(/(^|[\s(=])(\/[\w.@+-]+)+\/?/g, '$1<path>')
    .replace(/\b(sha256:)?[0-9a-f]{12,64}\b/g, '<hex>')
    .replace(/\b\d+(\.\d+)? (B|KiB|MiB|GiB|MB|GB)\b/g, '<size>')
    .replace(/\b\d+(\.\d+)?(ms|s|m\d\ds|h\d\dm|d\d\dh)\b/g, '<dur>')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The masked lines, without blank ones at either end. */
export function maskOutput(lines: readonly string[]): string[] {
  const masked = lines.map(maskLine);
  while (masked.length > 0 && masked[0] === '') masked.shift();
  while (masked.length > 0 && masked.at(-1) === '') masked.pop();
  return masked;
}

/**
 * Whether a long-running command's output shows what the docs show: every shown line is there.
 * Lines that start with a time (lifecycle events) may come in any order; the others in the order
 * shown. The command may print more (events keep coming). Pure.
 */
export function showsInOrder(shown: readonly string[], actual: readonly string[]): { readonly ok: boolean; readonly missing: readonly string[] } {
  const want = maskOutput(shown).filter((l) => l !== '');
  const have = maskOutput(actual);
  const used = new Set<number>();
  let at = 0;
  const missing: string[] = [];
  for (const w of want) {
    if (w.startsWith('<time>')) {
      const i = have.findIndex((h, k) => h === w && !used.has(k));
      if (i < 0) missing.push(w);
      else used.add(i);
      continue;
    }
    let i = at;
    while (i < have.length && (have[i] !== w || used.has(i))) i++;
    if (i >= have.length) missing.push(w);
    else {
      used.add(i);
      at = i + 1;
    }
  }
  return { ok: missing.length === 0, missing };
}
