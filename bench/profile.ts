// Summarises a V8 .cpuprofile (node --cpu-prof): self time by area and the hottest frames.
// Pure apart from reading the file; used by bench/run.ts to explain a missed goal.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Share (0..1) of sampled time per area. */
  readonly areas: Readonly<Record<string, number>>;
  /** Hottest frames by self time, excluding idle/program/GC. */
  readonly top: readonly { readonly frame: string; readonly area: string; readonly share: number }[];
}

export function areaOf(fn: string, url: string): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)') return 'program';
  if (url.includes('/@nats-io/')) return 'nats client';
  if (url.includes('/msgpackr/')) return 'msgpackr';
  if (url.includes('/pino') || url.includes('/thread-stream/') || url.includes('/sonic-boom/')) return 'pino';
  if (url.includes('/kernel/') || url.includes('/protocols/') || url.includes('/supervisor-trees/')) return 'cairn';
  if (url.includes('/bench/')) return 'bench code';
  if (url.includes('/node_modules/')) return 'other libs';
  return 'node internals';
}

function shortUrl(url: string): string {
  const m = /(?:node_modules\/(@nats-io\/[^/]+|[^/@][^/]*)\/.*?([^/]+)$)|(?:\/work\/[^/]+\/(.*)$)/.exec(url);
  if (!m) return url.replace(/^.*\//, '') || 'native';
  return m[1] ? `${m[1]}/${m[2]}` : m[3]!;
}

export async function summarizeProfile(path: string): Promise<ProfileSummary> {
  const prof = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = Math.max(0, prof.timeDeltas[i] ?? 0);
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const areas: Record<string, number> = {};
  const frames = new Map<string, { area: string; us: number }>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const area = areaOf(functionName, url);
    areas[area] = (areas[area] ?? 0) + us / total;
    if (area === 'idle' || area === 'gc' || area === 'program') continue;
    const frame = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    const f = frames.get(frame) ?? { area, us: 0 };
    f.us += us;
    frames.set(frame, f);
  }
  const top = [...frames.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, 8)
    .map(([frame, f]) => ({ frame, area: f.area, share: f.us / total }));
  return { totalMs: total / 1000, areas, top };
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** One paragraph: where the benchmark process spent its time. */
export function describeProfile(variant: string, p: ProfileSummary, serverCpuShare: number | undefined): string {
  const areas = Object.entries(p.areas)
    .sort((a, b) => b[1] - a[1])
    .filter(([, s]) => s >= 0.01)
    .map(([a, s]) => `${a} ${pct(s)}`)
    .join(', ');
  const busy = 1 - (p.areas.idle ?? 0);
  const hot = p.top
    .slice(0, 5)
    .map((t) => `\`${t.frame}\` ${pct(t.share)}`)
    .join(', ');
  const server = serverCpuShare === undefined ? '' : ` nats-server used ${pct(serverCpuShare)} of one core over the same run.`;
  const verdict =
    busy > 0.85
      ? 'The Node process (sender and actors in one process) is CPU-bound, with little idle time: the limit is the CPU spent per message in this process.'
      : busy > 0.5
        ? `The Node process is busy ${pct(busy)} of the time: with one operation at a time, its CPU work per operation is most of the latency; the rest is waiting on the server.`
        : 'The Node process is idle much of the time: it waits on the server (publish acks, pull round trips), so the limit is round trips rather than CPU here.';
  return `CPU profile of \`${variant}\` (${(p.totalMs / 1000).toFixed(1)} s sampled): ${areas}. Hottest frames: ${hot}.${server} ${verdict}`;
}

/**
 * Compares the CPU a Cairn variant and its raw baseline spent per operation, area by area:
 * "where do Cairn's extra microseconds per message go".
 */
export function compareProfiles(variant: string, cairn: ProfileSummary, cairnOps: number, baseline: string, raw: ProfileSummary, rawOps: number): string {
  const busyUs = (p: ProfileSummary, ops: number, area?: string): number => {
    const share = area ? (p.areas[area] ?? 0) : 1 - (p.areas.idle ?? 0);
    return (p.totalMs * 1000 * share) / ops;
  };
  const c = busyUs(cairn, cairnOps);
  const r = busyUs(raw, rawOps);
  const areas = [...new Set([...Object.keys(cairn.areas), ...Object.keys(raw.areas)])].filter((a) => a !== 'idle');
  const deltas = areas
    .map((a) => ({ a, d: busyUs(cairn, cairnOps, a) - busyUs(raw, rawOps, a) }))
    .filter((x) => Math.abs(x.d) >= 1)
    .sort((x, y) => y.d - x.d)
    .map((x) => `${x.a} ${x.d >= 0 ? '+' : ''}${x.d.toFixed(0)} µs`)
    .join(', ');
  return `Busy CPU per operation in the measured window: \`${variant}\` ${c.toFixed(0)} µs, \`${baseline}\` ${r.toFixed(0)} µs (${(c / r).toFixed(2)}×); the difference by area: ${deltas}.`;
}
