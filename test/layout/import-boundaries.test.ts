// The folders' contract, checked on the sources: imports flow one way (protocols → kernel →
// supervisor-trees → actors → control-plane → client → deploy → package), a folder reaches another only through an
// index.ts, and no value imports go round in a circle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = ['protocols', 'kernel', 'supervisor-trees', 'actors', 'control-plane', 'client', 'deploy', 'package'] as const;
/** Entries besides index.ts that other folders may import, and why. */
const EXTRA_ENTRIES: Record<string, string> = {
  'kernel/runtimes/container-launcher.ts': 'the container runtime, kept out of kernel/runtimes/index.ts so that dockerode loads only for those who run containers',
};

interface Import {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports and re-exports of one file, static and dynamic. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+['"](\.[^'"]+)['"]/gms)) {
    found.push({ from: file, to: normalize(join(dirname(file), m[3]!)), typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/^import\s+['"](\.[^'"]+)['"]/gm)) found.push({ from: file, to: normalize(join(dirname(file), m[1]!)), typeOnly: false });
  for (const m of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) found.push({ from: file, to: normalize(join(dirname(file), m[1]!)), typeOnly: false });
  return found;
}

const layerOf = (file: string): number => LAYERS.indexOf(file.split('/')[0] as (typeof LAYERS)[number]);
const files = LAYERS.flatMap((l) => sources(l));
const imports = files.flatMap(importsOf);
const crossing = imports.filter((i) => layerOf(i.to) !== -1 && layerOf(i.to) !== layerOf(i.from));

describe('import boundaries', () => {
  it('layout - every folder has sources to check', () => {
    for (const layer of LAYERS) expect(files.some((f) => f.startsWith(`${layer}/`)), layer).toBe(true);
  });

  it('layout - imports flow one way: no folder imports one that comes after it', () => {
    const upward = crossing.filter((i) => layerOf(i.to) > layerOf(i.from)).map((i) => `${i.from} -> ${i.to}`);
    expect(upward).toEqual([]);
  });

  it('layout - a top-level folder imports another only through an index.ts (or a listed entry)', () => {
    const deep = crossing.filter((i) => !i.to.endsWith('/index.ts') && EXTRA_ENTRIES[i.to] === undefined).map((i) => `${i.from} -> ${i.to}`);
    expect(deep).toEqual([]);
  });

  it('layout - no circular value imports between files', () => {
    const graph = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const i of imports) if (!i.typeOnly && graph.has(i.to)) graph.get(i.from)!.push(i.to);
    // Tarjan's strongly connected components; any with more than one file is a cycle.
    let next = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v)!) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) !== index.get(v)) return;
      const component: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) cycles.push(component.sort());
    };
    for (const f of files) if (!index.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('layout - the checker sees static imports, re-exports and type-only imports', () => {
    const kinds = { static: false, reexport: false, typeOnly: false };
    for (const i of crossing) {
      if (i.typeOnly) kinds.typeOnly = true;
      if (i.from === 'package/index.ts') kinds.reexport = true;
      if (i.from === 'kernel/actor-node.ts' && i.to === 'protocols/index.ts') kinds.static = true;
    }
    expect(kinds).toEqual({ static: true, reexport: true, typeOnly: true });
    expect(relative(ROOT, join(ROOT, 'kernel'))).toBe('kernel');
  });
});
