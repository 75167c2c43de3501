import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { ManifestLimits } from '../../control-plane/index.ts';
import { isSyncInterval } from '../nats-server/index.ts';
import type { SyncInterval } from '../nats-server/index.ts';

export const SITES_API_VERSION = 'cairn.dev/v1';
export const SITES_KIND = 'Sites';

/** A listener with its own port (MQTT, WebSocket) on a site. */
export interface SiteListener {
  /** @default the site's host */
  readonly host?: string;
  readonly port: number;
}

/** What every site in a sites file has. */
export interface SiteEntry {
  /** Site name; also its server_name and JetStream domain. [A-Za-z0-9_-] */
  readonly name: string;
  /** Address the site's listeners bind. @default "127.0.0.1" */
  readonly host: string;
  /** Client port. */
  readonly port: number;
  /** Monitoring port (on 127.0.0.1). @default none */
  readonly httpPort?: number;
  /** MQTT 3.1.1 listener for the hub module. @default none */
  readonly mqtt?: SiteListener;
  /** WebSocket listener (NATS, and MQTT at /mqtt). @default none */
  readonly websocket?: SiteListener;
  /** Labels the site's nodes register with. @default {} */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * JetStream `sync_interval`: "always" (fsync before each acknowledged write) or a duration
   * between fsyncs ("1s"). @default by role: edges "always", the cloud "1s" (docs/sites.md, "Durability")
   */
  readonly syncInterval?: SyncInterval;
  /** The most actor instances one application may create on this site (its controller refuses more). @default 10,000 */
  readonly maxInstancesPerApp?: number;
  /**
   * Host names and IP addresses devices dial this site by, put in the server certificate `cairn site
   * init` makes for its TLS listeners, besides its host, 127.0.0.1 and localhost. @default []
   */
  readonly certificateNames: readonly string[];
}

/** The cloud hub. */
export interface CloudEntry extends SiteEntry {
  /** Leafnode port edges dial. @default 7422 */
  readonly leafPort: number;
  /** "host:port" edges dial to reach leafPort (a public name, NAT or proxy). @default host:leafPort, 127.0.0.1 for a wildcard host */
  readonly advertise?: string;
}

/** An edge: a leaf of the cloud with its own JetStream domain. */
export interface EdgeEntry extends SiteEntry {
  /** Other edges that send to this one directly (it forwards from their outboxes, besides the cloud's). @default [] */
  readonly receivesFrom: readonly string[];
}

/** A validated sites file with defaults applied. */
export interface SitesFile {
  readonly apiVersion: typeof SITES_API_VERSION;
  readonly kind: typeof SITES_KIND;
  readonly cloud: CloudEntry;
  readonly edges: readonly EdgeEntry[];
  /** Absolute; where `cairn site init` writes by default (relative paths resolve against the file's directory). */
  readonly dataDir: string;
}

const DEFAULT_DATA_DIR = './.cairn-sites';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);
/** A DNS name (a leading `*.` allowed), an IPv4 address or an IPv6 one. */
export const CERTIFICATE_NAME = /^(?:(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;

type Path = readonly (string | number)[];

/** `['edges', 1, 'port']` → `edges[1].port`. */
function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || '(document)';
}

/** Gathers every problem of a sites file, each with its path, before anything is reported. */
class Problems {
  readonly list: { path: Path; message: string }[] = [];
  add(path: Path, message: string): void {
    this.list.push({ path, message });
  }
}

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fields(p: Problems, path: Path, value: unknown, allowed: readonly string[], what: string): Raw {
  if (!isObject(value)) {
    p.add(path, `is ${JSON.stringify(value) ?? 'missing'}: give a mapping for ${what}`);
    return {};
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) p.add([...path, key], `unknown field ${JSON.stringify(key)}: remove it (${what} takes ${allowed.join(', ')})`);
  }
  return value;
}

function port(p: Problems, path: Path, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    p.add(path, `is ${JSON.stringify(value) ?? 'missing'}: use an integer port in 1-65535`);
    return undefined;
  }
  return value;
}

function host(p: Problems, path: Path, value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || /[\s/]/.test(value)) {
    p.add(path, `is ${JSON.stringify(value)}: use a host name or IP address such as "127.0.0.1" or "0.0.0.0"`);
    return undefined;
  }
  return value;
}

function name(p: Problems, path: Path, value: unknown): string | undefined {
  if (typeof value !== 'string' || !NAME.test(value)) {
    p.add(path, `is ${JSON.stringify(value) ?? 'missing'}: use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit (it becomes the server name and JetStream domain)`);
    return undefined;
  }
  return value;
}

function syncIntervalOf(p: Problems, path: Path, value: unknown): SyncInterval | undefined {
  if (isSyncInterval(value)) return value;
  p.add(path, `is ${JSON.stringify(value)}: use "always" (fsync before each acknowledged write: nothing acknowledged is lost to a power cut) or a duration between fsyncs such as "1s" (up to that much is)`);
  return undefined;
}

function listener(p: Problems, path: Path, value: unknown, what: string): SiteListener | undefined {
  if (value === undefined) return undefined;
  const o = fields(p, path, value, ['host', 'port'], what);
  const h = o['host'] === undefined ? undefined : host(p, [...path, 'host'], o['host']);
  const n = port(p, [...path, 'port'], o['port']);
  return n === undefined ? undefined : { ...(h === undefined ? {} : { host: h }), port: n };
}

function labels(p: Problems, path: Path, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    p.add(path, `is ${JSON.stringify(value)}: give a mapping of label names to strings, e.g. { zone: north }`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!NAME.test(k)) p.add([...path, k], `label name ${JSON.stringify(k)} is not valid: use [A-Za-z0-9_-]`);
    else if (typeof v !== 'string') p.add([...path, k], `is ${JSON.stringify(v)}: label values are strings (quote numbers and booleans)`);
    else out[k] = v;
  }
  return out;
}

/** The fields a sites file, its sites, its cloud and its edges take (the published JSON Schema lists the same: sites-json-schema.ts). */
export const SITE_FIELDS = ['name', 'host', 'port', 'httpPort', 'mqtt', 'websocket', 'labels', 'syncInterval', 'maxInstancesPerApp', 'certificateNames'] as const;
export const CLOUD_FIELDS = [...SITE_FIELDS, 'leafPort', 'advertise'] as const;
export const EDGE_FIELDS = [...SITE_FIELDS, 'receivesFrom'] as const;
export const SITES_FILE_FIELDS = ['apiVersion', 'kind', 'cloud', 'edges', 'dataDir'] as const;

function instancesLimit(p: Problems, path: Path, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > ManifestLimits.instancesPerApp) {
    p.add(path, `is ${JSON.stringify(value)}: use an integer in 1-${ManifestLimits.instancesPerApp} (instances one application may create on the site)`);
    return undefined;
  }
  return value;
}

function certificateNames(p: Problems, path: Path, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    p.add(path, `is ${JSON.stringify(value)}: give a list of host names or IP addresses, e.g. [plant1.example.com, 10.0.0.5]`);
    return [];
  }
  return value.flatMap((v, i) => {
    if (typeof v === 'string' && CERTIFICATE_NAME.test(v)) return [v];
    p.add([...path, i], `is ${JSON.stringify(v)}: give a host name (letters, digits, '-', '.', a leading '*.' for a wildcard) or an IP address`);
    return [];
  });
}

function site(p: Problems, path: Path, o: Raw, defaults: { name?: string; port?: number }): SiteEntry {
  const n = o['name'] === undefined && defaults.name !== undefined ? defaults.name : name(p, [...path, 'name'], o['name']);
  const h = o['host'] === undefined ? '127.0.0.1' : host(p, [...path, 'host'], o['host']);
  const portValue = o['port'] === undefined && defaults.port !== undefined ? defaults.port : port(p, [...path, 'port'], o['port']);
  const httpPort = o['httpPort'] === undefined ? undefined : port(p, [...path, 'httpPort'], o['httpPort']);
  const mqtt = listener(p, [...path, 'mqtt'], o['mqtt'], 'mqtt');
  const websocket = listener(p, [...path, 'websocket'], o['websocket'], 'websocket');
  const syncInterval = o['syncInterval'] === undefined ? undefined : syncIntervalOf(p, [...path, 'syncInterval'], o['syncInterval']);
  const maxInstancesPerApp = o['maxInstancesPerApp'] === undefined ? undefined : instancesLimit(p, [...path, 'maxInstancesPerApp'], o['maxInstancesPerApp']);
  return {
    name: n ?? '',
    host: h ?? '127.0.0.1',
    port: portValue ?? 0,
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(mqtt === undefined ? {} : { mqtt }),
    ...(websocket === undefined ? {} : { websocket }),
    labels: labels(p, [...path, 'labels'], o['labels']),
    ...(syncInterval === undefined ? {} : { syncInterval }),
    ...(maxInstancesPerApp === undefined ? {} : { maxInstancesPerApp }),
    certificateNames: certificateNames(p, [...path, 'certificateNames'], o['certificateNames']),
  };
}

function cloudEntry(p: Problems, value: unknown): CloudEntry {
  const o = fields(p, ['cloud'], value, CLOUD_FIELDS, 'cloud');
  const base = site(p, ['cloud'], o, { name: 'cloud', port: 4222 });
  const leafPort = o['leafPort'] === undefined ? 7422 : port(p, ['cloud', 'leafPort'], o['leafPort']);
  const advertise = o['advertise'];
  if (advertise !== undefined && (typeof advertise !== 'string' || !/^[^\s/]+:\d{1,5}$/.test(advertise) || Number(advertise.split(':').pop()) > 65535)) {
    p.add(['cloud', 'advertise'], `is ${JSON.stringify(advertise)}: use "host:port" the edges can dial, e.g. "hub.example.com:7422"`);
  }
  return { ...base, leafPort: leafPort ?? 0, ...(typeof advertise === 'string' ? { advertise } : {}) };
}

function edgeEntries(p: Problems, value: unknown): EdgeEntry[] {
  if (!Array.isArray(value) || value.length === 0) {
    p.add(['edges'], `is ${JSON.stringify(value) ?? 'missing'}: list at least one edge, e.g. - { name: edge1, port: 4223 }`);
    return [];
  }
  return value.map((raw, i) => {
    const o = fields(p, ['edges', i], raw, EDGE_FIELDS, 'an edge');
    const base = site(p, ['edges', i], o, {});
    const from = o['receivesFrom'];
    let receivesFrom: string[] = [];
    if (from !== undefined) {
      if (!Array.isArray(from)) p.add(['edges', i, 'receivesFrom'], `is ${JSON.stringify(from)}: give a list of edge names, e.g. [edge1]`);
      else receivesFrom = from.flatMap((f, j) => (name(p, ['edges', i, 'receivesFrom', j], f) === undefined ? [] : [f as string]));
    }
    return { ...base, receivesFrom };
  });
}

/** Names unique; every receivesFrom names another edge; no two listeners on one host share a port. */
function crossChecks(p: Problems, cloud: CloudEntry, edges: readonly EdgeEntry[]): void {
  const seenNames = new Map<string, string>([[cloud.name, 'cloud.name']]);
  edges.forEach((e, i) => {
    if (e.name === '') return;
    const other = seenNames.get(e.name);
    if (other !== undefined) p.add(['edges', i, 'name'], `is ${JSON.stringify(e.name)}, the same as ${other}: give every site its own name`);
    else seenNames.set(e.name, `edges[${i}].name`);
  });
  const edgeNames = new Set(edges.map((e) => e.name).filter((n) => n !== '' && n !== cloud.name));
  edges.forEach((e, i) =>
    e.receivesFrom.forEach((f, j) => {
      if (f === e.name) p.add(['edges', i, 'receivesFrom', j], `is the edge itself (${JSON.stringify(f)}): list other edges only`);
      else if (!edgeNames.has(f)) p.add(['edges', i, 'receivesFrom', j], `is ${JSON.stringify(f)}, which is not an edge in this file: use one of ${[...edgeNames].join(', ')}`);
    }),
  );
  const listeners: { path: Path; host: string; port: number }[] = [];
  const collect = (path: Path, s: SiteEntry): void => {
    if (s.port > 0) listeners.push({ path: [...path, 'port'], host: s.host, port: s.port });
    if (s.httpPort !== undefined) listeners.push({ path: [...path, 'httpPort'], host: '127.0.0.1', port: s.httpPort });
    if (s.mqtt) listeners.push({ path: [...path, 'mqtt', 'port'], host: s.mqtt.host ?? s.host, port: s.mqtt.port });
    if (s.websocket) listeners.push({ path: [...path, 'websocket', 'port'], host: s.websocket.host ?? s.host, port: s.websocket.port });
  };
  collect(['cloud'], cloud);
  if (cloud.leafPort > 0) listeners.push({ path: ['cloud', 'leafPort'], host: cloud.host, port: cloud.leafPort });
  edges.forEach((e, i) => collect(['edges', i], e));
  // Same host, or a wildcard that also covers the other's address: they would collide on one machine.
  const clash = (a: string, b: string): boolean => a === b || WILDCARD.has(a) || WILDCARD.has(b);
  listeners.forEach((l, i) => {
    const other = listeners.slice(0, i).find((o) => o.port === l.port && clash(o.host, l.host));
    if (other !== undefined) p.add(l.path, `is ${l.port} on ${l.host}, the same as ${formatPath(other.path)}: give each listener on a host its own port`);
  });
}

/** Validates parsed YAML data; every problem is collected. `baseDir` resolves a relative dataDir. */
function validate(data: unknown, baseDir: string): { sites?: SitesFile; problems: Problems } {
  const p = new Problems();
  const o = fields(p, [], data, SITES_FILE_FIELDS, 'a sites file');
  if (o['apiVersion'] !== SITES_API_VERSION) p.add(['apiVersion'], `is ${JSON.stringify(o['apiVersion']) ?? 'missing'}: use ${SITES_API_VERSION}`);
  if (o['kind'] !== SITES_KIND) p.add(['kind'], `is ${JSON.stringify(o['kind']) ?? 'missing'}: use ${SITES_KIND}`);
  const cloud = cloudEntry(p, o['cloud'] ?? {});
  const edges = edgeEntries(p, o['edges']);
  const dataDir = o['dataDir'] ?? DEFAULT_DATA_DIR;
  if (typeof dataDir !== 'string' || dataDir === '') p.add(['dataDir'], `is ${JSON.stringify(dataDir)}: give a directory path (relative to the sites file, or absolute)`);
  crossChecks(p, cloud, edges);
  if (p.list.length > 0) return { problems: p };
  return { sites: { apiVersion: SITES_API_VERSION, kind: SITES_KIND, cloud, edges, dataDir: resolve(baseDir, dataDir as string) }, problems: p };
}

/** Start of the node at `path`, or of its deepest existing ancestor. */
function offsetOf(doc: Document, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let best = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(segment));
      if (pair === undefined) return best;
      best = (pair.key as Node | null)?.range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      best = (node as Node | null)?.range?.[0] ?? best;
    } else return best;
  }
  return best;
}

/**
 * Sites YAML → a validated SitesFile with defaults applied. Throws one CAIRN_SITES_FILE_INVALID
 * listing every problem as `[error] <source>:<line>:<col> <path>: <message>`.
 * @param source file name shown in messages; its directory resolves a relative dataDir
 */
/** The largest sites file read (a deployment of hundreds of edges is a few tens of KiB). */
export const SITES_FILE_MAX_BYTES = 1_048_576;

export function parseSitesFile(text: string, source = 'sites.yaml'): SitesFile {
  const bytes = Buffer.byteLength(text);
  if (bytes > SITES_FILE_MAX_BYTES) {
    throw new CairnError(DeployCodes.INPUT_TOO_LARGE, `sites file ${source} is ${bytes} bytes: at most ${SITES_FILE_MAX_BYTES} are read`, { details: { source, bytes, max: SITES_FILE_MAX_BYTES } });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fail = (lines: string[]): never => {
    throw new CairnError(
      DeployCodes.SITES_FILE_INVALID,
      `sites file ${source} is invalid (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      { details: { source, problems: lines } },
    );
  };
  if (doc.errors.length > 0) {
    fail(doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `[error] ${source}:${line}:${col} YAML syntax: ${e.message.split('\n')[0]}`;
    }));
  }
  const { sites, problems } = validate(doc.toJS({ maxAliasCount: 100 }), dirname(resolve(source)));
  if (sites !== undefined) return sites;
  // In document order, as a reader goes through the file.
  const placed = problems.list.map(({ path, message }, index) => ({ path, message, index, offset: offsetOf(doc, path) ?? Number.MAX_SAFE_INTEGER }));
  placed.sort((a, b) => a.offset - b.offset || a.index - b.index);
  return fail(placed.map(({ path, message, offset }) => {
    const at = offset === Number.MAX_SAFE_INTEGER ? '' : (({ line, col }) => `${source}:${line}:${col} `)(lineCounter.linePos(offset));
    return `[error] ${at}${formatPath(path)}: ${message}`;
  }));
}

/** Reads and validates a sites file; CAIRN_SITES_FILE_NOT_FOUND when it does not exist. */
export async function loadSitesFile(path: string): Promise<SitesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    throw new CairnError(DeployCodes.SITES_FILE_NOT_FOUND, `sites file ${path} not found (looked at ${resolve(path)}): check the path, or start from examples/multi-site/sites.yaml`, { cause, details: { path } });
  }
  return parseSitesFile(text, path);
}
