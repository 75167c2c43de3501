import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node, YAMLError } from 'yaml';
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
  const lineCounter = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const documents = Array.isArray(all) ? all : [];
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
    data = first.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    // Too many alias expansions (a "billion laughs" document) or an alias to nothing.
    diagnostics.push({ level: 'error', path: '', code: Codes.YAML_SYNTAX, message: `YAML could not be read: ${firstLine(String((cause as Error).message ?? cause))}` });
    return { data: undefined, diagnostics, positionOf: () => undefined };
  }
  return {
    data,
    diagnostics,
    positionOf: (segments) => {
      const offset = offsetOf(first, segments);
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

/** Start offset of the node at `segments`, else of the deepest ancestor found. */
function offsetOf(doc: Document, segments: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let best = rangeStart(node);
  for (const [index, segment] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
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
