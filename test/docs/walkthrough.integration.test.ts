// The README's and docs' command sessions, run as written by a new user would, in a fresh working
// folder (a copy of examples/, Cairn's own folders linked), with the real `cairn` CLI: each output
// the docs show is compared with the real one (masked where runs differ: times, numbers, paths).
// A command shown in the docs and not run here fails the last test, unless its block says why
// it is not run (`<!-- not run: why -->`).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN, cleanEnv } from '../deploy/cli/cli-harness.ts';
import { allDocBlocks, maskOutput, showsInOrder } from './doc-sessions.ts';
import type { DocBlock, DocCommand } from './doc-sessions.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BLOCKS = allDocBlocks(ROOT);
/** Commands run (file:line), for the coverage check at the end. */
const ran = new Set<string>();
const workspaces: string[] = [];
const running: ChildProcess[] = [];
/** Every line the commands above printed (stdout and stderr), for the warnings check at the end. */
const printed: { readonly command: string; readonly line: string }[] = [];

/** A fresh folder as a checkout looks to a user: examples/ copied (the sessions edit it), the rest linked. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-walkthrough-'));
  workspaces.push(dir);
  cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  for (const f of ['kernel', 'protocols', 'supervisor-trees', 'actors', 'control-plane', 'client', 'deploy', 'package', 'node_modules', 'dist', 'bin', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, f), join(dir, f));
  return dir;
}

/** The block (one that is run) whose first command is `first` (as written) in `file`. */
function block(file: string, first: string): DocBlock {
  const found = BLOCKS.find((b) => b.file === file && b.notRun === undefined && b.commands[0]?.text === first);
  if (!found) throw new Error(`no block in ${file} starting with "${first}": the docs changed; update the walkthrough`);
  return found;
}

/** `npx cairn …` / `cairn …` as the shell runs it here: the CLI of this checkout; anything else as written. */
function shellLine(text: string): string {
  return text.replace(/^(npx )?cairn /, `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CAIRN_BIN)} `);
}

/** A usage line (`cairn demo [--data-dir d] [...]`) as run: its optional parts left out. */
function withoutOptional(text: string): string {
  return text.replace(/\s*\[[^\]]*\]/g, '').replace(/\s*\[[^\]]*\]/g, '');
}

interface Result {
  readonly code: number | null;
  readonly lines: string[];
}

/** Runs one command line with bash in `cwd`, stdout and stderr as a terminal shows them (one stream). */
function run(cwd: string, text: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `${shellLine(text)} 2>&1`], { cwd, env: { ...cleanEnv(), ...env } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => {
      const lines = out.replace(/\n$/, '').split('\n');
      printed.push(...lines.map((line) => ({ command: text, line })));
      resolve({ code, lines });
    });
  });
}

/** A long-running command (up, site up, site join): its output lines as they come. */
interface Long {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  until(pattern: RegExp | ((lines: readonly string[]) => boolean), timeoutMs?: number): Promise<void>;
}

function start(cwd: string, text: string): Long {
  const child = spawn('bash', ['-c', `${shellLine(text)} 2>&1`], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    printed.push({ command: text, line: l });
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return {
    child,
    lines,
    exited,
    async until(pattern, timeoutMs = 60_000) {
      const ok = (): boolean => (typeof pattern === 'function' ? pattern(lines) : lines.some((l) => pattern.test(l)));
      const deadline = Date.now() + timeoutMs;
      while (!ok()) {
        if (child.exitCode !== null) throw new Error(`"${text}" exited (${child.exitCode}) before it showed ${String(pattern)}:\n${lines.slice(-30).join('\n')}`);
        if (Date.now() > deadline) throw new Error(`"${text}" did not show ${String(pattern)} within ${timeoutMs} ms:\n${lines.slice(-30).join('\n')}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 500))]);
      }
    },
  };
}

/** Commands that only read: run again until their output is the one shown (the site settles). */
const READS = /^(npx )?cairn (ps|tree|nodes|get|dlq ls|artifacts ls|ask|doctor)\b/;

/**
 * Runs a block's commands in order in `cwd` and compares each output with the docs' (masked).
 * `$?` of `echo $?` is the previous command's exit code. `subst` fixes what the docs name for
 * their own run (a node id).
 */
async function runBlock(cwd: string, b: DocBlock, subst: (line: string) => string = (l) => l): Promise<void> {
  let last: Result = { code: 0, lines: [] };
  for (const c of b.commands) {
    ran.add(`${c.file}:${c.line}`);
    const shown = c.output.map(subst);
    if (c.text === 'echo $?') {
      expect(maskOutput([String(last.code)]), `${c.file}:${c.line}`).toEqual(maskOutput(shown));
      continue;
    }
    const deadline = Date.now() + (READS.test(c.text) ? 30_000 : 0);
    for (;;) {
      last = await run(cwd, c.text);
      if (shown.length === 0 || JSON.stringify(maskOutput(last.lines)) === JSON.stringify(maskOutput(shown)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (shown.length > 0) expect(maskOutput(last.lines), `${c.file}:${c.line} ${c.text}`).toEqual(maskOutput(shown));
  }
}

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

describe('walkthrough', () => {
  it('docs/cli.md - cairn up, then every command of its example session in another terminal, then Ctrl-C', async () => {
    const cwd = workspace();
    const session = block('docs/cli.md', 'npx cairn up');
    const [upCommand] = session.commands;
    ran.add(`${upCommand!.file}:${upCommand!.line}`);
    const cut = upCommand!.output.indexOf('^C');
    const before = upCommand!.output.slice(0, cut);
    const after = upCommand!.output.slice(cut + 1);
    const up = start(cwd, upCommand!.text);
    // The docs' run had node vm-19827 (its host name was taken); this one has its own id.
    const nodeOf = (lines: readonly string[]): string => lines.map((l) => /^… node (\S+) leads site/.exec(l)?.[1]).find((n) => n !== undefined) ?? 'vm-19827';
    const shows = (lines: readonly string[]): ReturnType<typeof showsInOrder> => showsInOrder(before.map((l) => l.replaceAll('vm-19827', nodeOf(lines))), lines);
    await up.until((lines) => shows(lines).ok, 60_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\nmissing: ${shows(up.lines).missing.join(' | ')}`);
    });
    const node = nodeOf(up.lines);
    expect(node).toBe((JSON.parse(readFileSync(join(cwd, '.cairn', 'cairn-up.json'), 'utf8')) as { node: string }).node);
    const subst = (l: string): string => l.replaceAll('vm-19827', node);
    await runBlock(cwd, block('docs/cli.md', 'npx cairn ps'), subst);
    await runBlock(cwd, block('docs/cli.md', `npx cairn tell greter '{"type":"greet"}'`), subst);
    await runBlock(cwd, block('docs/cli.md', `npx cairn ask greeter '{"type":}'`), subst);
    await runBlock(cwd, block('docs/cli.md', 'npx cairn doctor'), subst);
    await runBlock(cwd, block('docs/cli.md', 'npx cairn server install'), subst);
    await runBlock(cwd, block('docs/cli.md', 'cairn hub check -f examples/hub/plant.yaml'));
    const from = up.lines.length;
    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
    const result = showsInOrder(after.map(subst), up.lines.slice(from));
    expect(result.missing, up.lines.slice(from).join('\n')).toEqual([]);
    // README: `npm ci && npx cairn server install && npx cairn up` (npm ci is what .ci/run did).
    for (const b of BLOCKS.filter((x) => x.file === 'README.md')) for (const c of b.commands) if (c.text.startsWith('npm ci && npx cairn server install && npx cairn up')) ran.add(`${c.file}:${c.line}`);
  }, 180_000);

  it('docs/sites.md and docs/apply.md - the example sites started as written, then the application session against them', async () => {
    const cwd = workspace();
    const init = block('docs/sites.md', 'npx cairn site init -f examples/multi-site/sites.yaml [--data-dir dir] [--force]').commands[0]!;
    ran.add(`${init.file}:${init.line}`);
    const made = await run(cwd, withoutOptional(init.text));
    expect(made.code, made.lines.join('\n')).toBe(0);
    const ups = block('docs/sites.md', 'npx cairn site up cloud --data-dir examples/multi-site/.cairn-sites   # on the cloud machine').commands;
    const joins = block('docs/sites.md', 'npx cairn site up cloud --data-dir examples/multi-site/.cairn-sites                   # nats-server + node cloud-1 (leader)').commands;
    const sites: Long[] = [];
    for (const c of ups) {
      ran.add(`${c.file}:${c.line}`);
      const s = start(cwd, c.text);
      sites.push(s);
      await s.until(/^ready:/, 90_000);
    }
    // The same `site up cloud`, in the block that then adds a second node.
    ran.add(`${joins[0]!.file}:${joins[0]!.line}`);
    ran.add(`${joins[1]!.file}:${joins[1]!.line}`);
    const join2 = start(cwd, joins[1]!.text);
    sites.push(join2);
    await join2.until(/^standby:/, 60_000);

    const apply = BLOCKS.find((b) => b.file === 'docs/apply.md' && b.commands[0]?.text.startsWith('cairn apply -f examples/apply/hello-app.yaml'))!;
    await runBlock(cwd, apply);
    const brokenFile = readFileSync(join(ROOT, 'docs/apply.md'), 'utf8').match(/<!-- file: broken\.yaml -->\n```yaml\n([\s\S]*?)```/)![1]!;
    writeFileSync(join(cwd, 'broken.yaml'), brokenFile);
    await runBlock(cwd, block('docs/apply.md', 'cairn apply -f broken.yaml'));

    for (const s of sites.reverse()) {
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
    }
  }, 300_000);

  it('README.md and docs/sites.md - cairn demo runs as written and finds nothing lost', async () => {
    const cwd = workspace();
    const demos = BLOCKS.flatMap((b) => b.commands).filter((c) => /^npx cairn demo\b/.test(c.text));
    expect(demos.length).toBeGreaterThanOrEqual(2);
    for (const c of demos) ran.add(`${c.file}:${c.line}`);
    const result = await run(cwd, withoutOptional(demos[0]!.text.replace(/\s+#.*$/, '')));
    expect(result.code, result.lines.slice(-20).join('\n')).toBe(0);
  }, 180_000);

  it('docs - nothing the commands above printed is a warning of Node (MaxListenersExceededWarning, ExperimentalWarning, ...) or npm', () => {
    expect(printed.length).toBeGreaterThan(100);
    // Node prints its process warnings as "(node:<pid>) [<code>] <Name>Warning: …"; npm as "npm warn …".
    const warnings = printed.filter(({ line }) => /^\(node:\d+\) /.test(line) || /\w*Warning: /.test(line) || /^npm warn/i.test(line));
    expect(warnings.map(({ command, line }) => `${command}: ${line}`)).toEqual([]);
  });

  it('docs - every command the README and docs show was run above, or its block says why not', () => {
    const notRun = BLOCKS.filter((b) => b.notRun !== undefined);
    for (const b of notRun) expect(b.notRun!.length, `${b.file}:${b.line}`).toBeGreaterThan(10);
    const shown: DocCommand[] = BLOCKS.filter((b) => b.notRun === undefined).flatMap((b) => b.commands);
    const missing = shown.filter((c) => !ran.has(`${c.file}:${c.line}`)).map((c) => `${c.file}:${c.line} ${c.text}`);
    expect(missing).toEqual([]);
  });
});
