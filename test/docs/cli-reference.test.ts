// docs/cli.md documents every command and every option the CLI has: each command in a section whose
// heading names it (`## cairn site up`, `## cairn apply / diff / ...`), each of its options there
// or among the connection options every site command takes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../deploy/cli/index.ts';

const CLI_MD = readFileSync(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)), 'utf8');

/** The sections of cli.md: heading → text. */
const sections = CLI_MD.split(/^## /m)
  .slice(1)
  .map((s) => ({ heading: s.split('\n', 1)[0]!, text: s }));

/** Every command that does something (has an action), by its path under `cairn`, hidden ones left out. */
function commands(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => {
    if ((c as unknown as { _hidden?: boolean })._hidden || c.name() === 'help') return [];
    const here = [...path, c.name()];
    const subs = commands(c, here);
    return c.commands.length > 0 ? subs : [{ path: here, cmd: c }];
  });
}

describe('docs/cli.md', () => {
  it('cli reference - every command has a section naming it, and every one of its options is described there or among the connection options', () => {
    const program = buildProgram({ env: {}, out: () => undefined, err: () => undefined }, () => undefined);
    const connection = sections.find((s) => s.heading.startsWith('Connection options'))!.text;
    const missing: string[] = [];
    for (const { path, cmd } of commands(program)) {
      // A heading naming it ("## cairn site up", "## cairn apply / diff / get"), or one of its
      // parent's whose section shows it ("## cairn dlq" with `cairn dlq ls`).
      const words = path.join(' ');
      const own = sections.filter((s) => new RegExp(`^cairn (?:[a-z-]+ / )*${words}(?: |$| /|\\\\)`).test(s.heading) || (s.heading.startsWith(`cairn ${path[0]}`) && s.text.includes(`cairn ${words}`)));
      if (own.length === 0) {
        missing.push(`cairn ${words}: no section`);
        continue;
      }
      const text = own.map((s) => s.text).join('\n') + connection;
      for (const o of cmd.options) {
        if (o.hidden || o.long === '--help') continue;
        const shown = (flag: string): boolean => new RegExp(`(^|[\\s\`\\[(|])${flag.replace(/[-]/g, '\\-')}(?![\\w-])`, 'm').test(text);
        if (!o.long || !(shown(o.long) || (o.short !== undefined && shown(o.short)))) missing.push(`cairn ${words} ${o.long ?? o.short}: not described`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gitignore - the generated site files, which hold leaf passwords, and cairn up\'s data stay out of git', () => {
    const ignored = readFileSync(fileURLToPath(new URL('../../.gitignore', import.meta.url)), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.cairn-sites/', '.cairn/']));
  });
});
