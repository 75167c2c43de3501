import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, YAMLError, YAMLMap } from 'yaml';
import { ManifestLimits } from './manifest-limits.ts';
import { ManifestDiagnosticCodes as Codes } from '../../protocols/index.ts';
import type { Diagnostic, PathSegment } from './diagnostic.ts';

/** A manifest's YAML text, parsed: the data plus what is needed to point back into the text. */
export interface YamlSource {
  /** The first document as plain data; undefined when it could not be read. */
  readonly data: unknown;
  /** Problems found while reading: syntax errors, several documents, an empty file. */
  readonly diagnostics: Diagnostic[];
  /** 1-based line and column of the node at `segments`, or of its nearest existing ancestor. */
  positionOf(segments: readonly PathSegment[]): { line: number; column: number } | undefined;
}

/**
 * Reads one application from YAML. Several documents are an error: a file is one application,
 * which `cairn apply` versions and rolls back as a unit. Empty documents (a stray `---`) are ignored.
 */
export function readYamlSource(text: string, source?: string): YamlSource {
  const bytes = Buffer.byteLength(text);
  if (bytes > ManifestLimits.bytes) {
    // Checked before parsing: nothing about an oversized input is worth the time to read it.
    return refused(Codes.TOO_LARGE, `the manifest is ${bytes} bytes: at most ${ManifestLimits.bytes} are read (its stored record must fit in one server message); keep large data out of it`);
  }
  const lineCounter = new LineCounter();
  let all: ReturnType<typeof parseAllDocuments>;
  try {
    // Duplicate keys are found below, in one pass: the library's own check is quadratic in a map's size.
    all = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (cause) {
    if (cause instanceof RangeError) return refused(Codes.TOO_DEEP, `the manifest nests too deeply to be read (at most ${ManifestLimits.depth} levels)`);
    throw cause;
  }
  const documents = Array.isArray(all) ? (all as Document.Parsed[]) : [];
  const where = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const at = (offset: number): string => {
    const { line, column } = where(offset);
    return `${source === undefined ? '' : `${source}:`}line ${line}, column ${column}`;
  };
  const diagnostics: Diagnostic[] = [];

  const syntax = (err: YAMLError, level: 'error' | 'warning'): Diagnostic => ({
    level,
    path: '',
    code: level === 'error' ? Codes.YAML_SYNTAX : Codes.YAML_WARNING,
    message: `${level === 'error' ? 'YAML syntax error' : 'YAML warning'} at ${at(err.pos[0])}: ${firstLine(err.message)}`,
    ...where(err.pos[0]),
  });
  for (const doc of documents) {
    diagnostics.push(...doc.errors.map((e) => syntax(e, 'error')), ...doc.warnings.map((w) => syntax(w, 'warning')));
  }
  const index = new WeakMap<YAMLMap, Map<string, Pair>>();
  for (const doc of documents) {
    const shape = indexNodes(doc.contents, index);
    for (const key of shape.duplicates) {
      const offset = rangeStart(key) ?? 0;
      diagnostics.push({ level: 'error', path: '', code: Codes.YAML_SYNTAX, message: `YAML syntax error at ${at(offset)}: Map keys must be unique (${JSON.stringify(String(isScalar(key) ? key.value : key))} is given twice)`, ...where(offset) });
    }
    if (shape.depth > ManifestLimits.depth) return refused(Codes.TOO_DEEP, `the manifest nests ${shape.depth} levels deep: at most ${ManifestLimits.depth} are read`);
  }

  const nonEmpty = documents.filter((doc) => doc.errors.length > 0 || !isBlank(doc.contents));
  const first = nonEmpty[0];
  if (first === undefined) {
    diagnostics.push({ level: 'error', path: '', code: Codes.EMPTY, message: 'the manifest is empty: start with apiVersion: cairn.dev/v1 and kind: Application' });
    return { data: undefined, diagnostics, positionOf: () => undefined };
  }
  const second = nonEmpty[1];
  if (second !== undefined) {
    const offset = second.range[0];
    diagnostics.push({
      level: 'error',
      path: '',
      code: Codes.MULTIPLE_DOCUMENTS,
      message: `found ${nonEmpty.length} YAML documents (the second at ${at(offset)}): a manifest holds one application; put each in its own file`,
      ...where(offset),
    });
  }
  if (diagnostics.some((d) => d.level === 'error' && d.code === Codes.YAML_SYNTAX)) {
    return { data: undefined, diagnostics, positionOf: () => undefined };
  }

  let data: unknown;
  try {
    data = first.toJS({ maxAliasCount: ManifestLimits.aliases });
    // Aliases can nest what the text does not: the data's depth is checked too (without recursion).
    if (depthOver(data, ManifestLimits.depth)) {
      return refused(Codes.TOO_DEEP, `the manifest nests more than ${ManifestLimits.depth} levels deep once its aliases are expanded`);
    }
  } catch (cause) {
    // Too many alias expansions (a "billion laughs" document) or an alias to nothing.
    const message = firstLine(String((cause as Error).message ?? cause));
    const aliases = /alias/i.test(message) && /count|resource|exceed/i.test(message);
    diagnostics.push({ level: 'error', path: '', code: aliases ? Codes.YAML_ALIASES : Codes.YAML_SYNTAX, message: aliases ? `YAML aliases expand too much (at most ${ManifestLimits.aliases} expansions): ${message}` : `YAML could not be read: ${message}` });
    return { data: undefined, diagnostics, positionOf: () => undefined };
  }
  return {
    data,
    diagnostics,
    positionOf: (segments) => {
      const offset = offsetOf(first, segments, index);
      return offset === undefined ? undefined : where(offset);
    },
  };
}

/** A document with nothing in it: a stray `---` or only comments. */
function isBlank(contents: unknown): boolean {
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === '');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Whether plain data nests deeper than `max` levels of objects and arrays; iterative, stops early. */
function depthOver(data: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[data, 1]];
  const deepestAt = new Map<object, number>();
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (level > max) return true;
    // An object reached again (a shared alias) no deeper than before adds nothing.
    if ((deepestAt.get(node) ?? 0) >= level) continue;
    deepestAt.set(node, level);
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, level + 1]);
  }
  return false;
}

/** A manifest refused before (or instead of) reading it. */
function refused(code: string, message: string): YamlSource {
  return { data: undefined, diagnostics: [{ level: 'error', path: '', code, message }], positionOf: () => undefined };
}

/**
 * One pass over a document's nodes, without recursion: each map's keys indexed (positions are
 * then found in constant time per path segment), duplicate keys collected, and the nesting depth.
 */
function indexNodes(root: unknown, index: WeakMap<YAMLMap, Map<string, Pair>>): { duplicates: unknown[]; depth: number } {
  const duplicates: unknown[] = [];
  let depth = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (isMap(node)) {
      depth = Math.max(depth, level);
      const keys = new Map<string, Pair>();
      const seen = new Set<string>();
      for (const pair of node.items) {
        // Merge keys (<<, YAML 1.1) may repeat; other keys are compared by type and value.
        const value = isScalar(pair.key) ? pair.key.value : undefined;
        if (isScalar(pair.key) && typeof value !== 'symbol') {
          const typed = `${typeof value}:${String(value)}`;
          if (seen.has(typed)) duplicates.push(pair.key);
          else seen.add(typed);
          // Positions are looked up by the path's text, as the old linear search found the first.
          if (!keys.has(String(value))) keys.set(String(value), pair as Pair);
        }
        stack.push([pair.value, level + 1]);
      }
      index.set(node as YAMLMap, keys);
    } else if (isSeq(node)) {
      depth = Math.max(depth, level);
      for (const item of node.items) stack.push([item, level + 1]);
    }
  }
  return { duplicates, depth };
}

/** Start offset of the node at `segments`, else of the deepest ancestor found. */
function offsetOf(doc: Document, segments: readonly PathSegment[], keysOf: WeakMap<YAMLMap, Map<string, Pair>>): number | undefined {
  let node: unknown = doc.contents;
  let best = rangeStart(node);
  for (const [index, segment] of segments.entries()) {
    if (isMap(node)) {
      const pair = keysOf.get(node as YAMLMap)?.get(String(segment));
      if (pair === undefined) return best;
      // A scalar is pointed at itself; a block (mapping, list) at its key, the line a reader scans.
      const last = index === segments.length - 1;
      best = (last && isScalar(pair.value) ? rangeStart(pair.value) : rangeStart(pair.key)) ?? rangeStart(pair.value) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}
