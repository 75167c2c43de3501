// Every `cairn` command line the README and docs/ show, as written, is one the CLI takes: its
// commands exist, its options are the command's own (with a value where one is needed, a choice
// among the allowed), and its arguments are as many as the command takes. What each command then
// does is tested where it is built (test/deploy/cli, test/multi-site).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../deploy/cli/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/**
 * Command lines in code blocks (`$ npx cairn …`, `$ cairn …`, `npx cairn …`; a bare `cairn …` in a
 * block is output) and references in inline code (`cairn site join`, `cairn up --app-dir`): the
 * references name commands and options, so only those are checked, not arguments or values.
 */
function documentedCommands(file: string): { line: number; text: string; reference: boolean }[] {
  const out: { line: number; text: string; reference: boolean }[] = [];
  let inBlock = false;
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      if (raw.trimStart().startsWith('```')) {
        inBlock = !inBlock;
        return;
      }
      const line = raw.trim();
      const candidates = inBlock ? (/^(\$ |npx )/.test(line) || line.includes('<(npx cairn') ? [line.replace(/^\$ /, '').replace(/^.*<\(/, '')] : []) : [...raw.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
      for (const c of candidates) {
        const m = /^(?:npx )?cairn (\S.*)$/.exec(c.trim());
        if (!m) continue;
        // A comment after the command is prose; `source <(...)` wraps one.
        const text = m[1]!.replace(/\s+#.*$/, '').replace(/\)+.*$/, '').trim();
        out.push({ line: i + 1, text, reference: !inBlock });
      }
    });
  return out;
}

/** Shell-like words: single and double quotes group, backslashes are kept as written. */
function words(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * Why the CLI would not take `argv` (undefined: it would); placeholders (`<x>`, `[...]`, `…`) are
 * taken as values. A reference is checked for its commands and options only; `up/join` names two.
 */
function problemOf(program: Command, argv: readonly string[], reference: boolean): string | undefined {
  if (/^<.*>$/.test(argv[0] ?? '')) return undefined; // `cairn <command>`: the general form
  const alternatives = argv.findIndex((w) => /^[a-z-]+(\/[a-z-]+)+$/.test(w));
  if (alternatives >= 0) {
    for (const alt of argv[alternatives]!.split('/')) {
      const why = problemOf(program, [...argv.slice(0, alternatives), alt, ...argv.slice(alternatives + 1)], reference);
      if (why) return why;
    }
    return undefined;
  }
  let cmd = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === argv[i] || c.aliases().includes(argv[i]!));
    if (!sub) break;
    cmd = sub;
  }
  if (cmd === program) return `no command "${argv[0]}"`;
  if (cmd.commands.length > 0 && i < argv.length && !argv[i]!.startsWith('-') && !/^[<[]/.test(argv[i]!)) return `${cmd.name()} has no command "${argv[i]}"`;
  const optionsOf = (c: Command): Option[] => [...c.options, ...(c.parent ? optionsOf(c.parent) : [])];
  const options = optionsOf(cmd);
  let args = 0;
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '|' || w === '&&' || w === '>' || w === '>>' || w === '--') break; // the rest is another command, or not options
    if (/^\[.*\]$/.test(w) || w === '…' || w === '...') continue; // an optional part, shown as such
    const optional = w.startsWith('[') ? w.slice(1) : w;
    if (!optional.startsWith('-') || optional === '-') {
      args++;
      continue;
    }
    const [flag, inline] = optional.split('=', 2) as [string, string | undefined];
    const option = options.find((o) => o.long === flag || o.short === flag);
    if (!option) return `${cmd.name()} has no option ${flag}`;
    if (option.required || option.optional) {
      const value = inline ?? (option.required || (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) ? argv[++i] : undefined);
      if (option.required && value === undefined && !reference) return `${flag} needs a value`;
      const clean = value?.replace(/[\]]+$/, '');
      if (clean !== undefined && option.argChoices && !/^<.*>$/.test(clean) && !option.argChoices.includes(clean)) return `${flag} ${clean} is not one of ${option.argChoices.join(', ')}`;
    }
  }
  if (reference) return undefined;
  const declared = cmd.registeredArguments;
  const variadic = declared.some((a) => a.variadic);
  const required = declared.filter((a) => a.required).length;
  if (args < required) return `${cmd.name()} needs ${required} argument(s), the line gives ${args}`;
  if (!variadic && args > declared.length) return `${cmd.name()} takes ${declared.length} argument(s), the line gives ${args}`;
  return undefined;
}

describe('documented commands', () => {
  it('docs - every cairn command line in README.md and docs/ is one the CLI takes as written', () => {
    const program = buildProgram({ env: {}, out: () => undefined, err: () => undefined }, () => undefined);
    const all = FILES.flatMap((file) => documentedCommands(file).map((c) => ({ ...c, file })));
    // The docs show many: if this finds few, the extraction broke, not the docs.
    expect(all.length).toBeGreaterThan(40);
    const problems = all.flatMap(({ file, line, text, reference }) => {
      const why = problemOf(program, words(text), reference);
      return why ? [`${file}:${line} cairn ${text}: ${why}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('docs - the check refuses what the CLI refuses: an unknown command or option, a bad choice, missing or extra arguments', () => {
    const program = buildProgram({ env: {}, out: () => undefined, err: () => undefined }, () => undefined);
    const check = (text: string, reference = false): string | undefined => problemOf(program, words(text), reference);
    expect(check('ps --server nats://127.0.0.1:4222 -o yaml -w 500')).toBeUndefined();
    expect(check(`tell greeter '{"type":"greet"}' --force`)).toBeUndefined();
    expect(check('site up cloud --data-dir .cairn-sites')).toBeUndefined();
    expect(check('nope')).toBe('no command "nope"');
    expect(check('ps --bogus')).toBe('ps has no option --bogus');
    expect(check('ps -o xml')).toBe('-o xml is not one of json, yaml');
    expect(check('site up')).toBe('up needs 1 argument(s), the line gives 0');
    expect(check('ps extra')).toBe('ps takes 0 argument(s), the line gives 1');
    expect(check('site up', true)).toBeUndefined();
    expect(check('site up/jion', true)).toBe('site has no command "jion"');
  });
});
