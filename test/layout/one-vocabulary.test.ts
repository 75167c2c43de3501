// Cairn's shared vocabulary is declared once (protocols/) and imported everywhere else, so that a
// restart type, an exit reason, a backoff or a diagnostic means the same thing in every layer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FOLDERS = ['protocols', 'kernel', 'supervisor-trees', 'actors', 'control-plane', 'client', 'deploy', 'package'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const files = FOLDERS.flatMap(sources).map((f) => ({ file: f, text: readFileSync(join(ROOT, f), 'utf8') }));

function declarations(name: string): string[] {
  const re = new RegExp(`^export (?:type ${name}\\b\\s*[=<]|interface ${name}\\b)`, 'm');
  return files.filter((f) => re.test(f.text)).map((f) => f.file);
}

describe('one vocabulary', () => {
  for (const [name, home] of [
    ['ExitReason', 'protocols/exit-reason.ts'],
    ['RestartType', 'protocols/restart-type.ts'],
    ['Backoff', 'protocols/backoff.ts'],
    ['Diagnostic', 'protocols/diagnostic.ts'],
  ] as const) {
    it(`layout - ${name} is declared once, in ${home}`, () => {
      expect(declarations(name)).toEqual([home]);
    });
  }

  it('layout - one backoff function: nothing else computes exponential delays with ** or Math.pow', () => {
    const others = files.filter((f) => f.file !== 'protocols/backoff.ts' && /[\w)\]]\s*\*\*\s*[\w(]|Math\.pow\(/.test(f.text)).map((f) => f.file);
    expect(others).toEqual([]);
  });
});
