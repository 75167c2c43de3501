// The failover section of bench/RESULTS.md, from bench/failover.ts's results. Pure: no I/O.
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_NODE_TIMEOUT_MS } from '../protocols/index.ts';
import type { Run, Section } from './run.ts';
import { fmtMs } from './stats.ts';
import type { LatencySummary } from './stats.ts';

interface FailoverResult {
  readonly kind: 'failover' | 'restart' | 'hosted';
  readonly actors: number;
  readonly samples: number;
  readonly total: LatencySummary;
  readonly detect: LatencySummary;
  readonly takeover: LatencySummary;
}

const resultOf = (r: Run): FailoverResult => r.result as unknown as FailoverResult;
/** The documented bound on detection: the lease ttl plus one look of the standby. */
export const DETECTION_BOUND_MS = DEFAULT_NODE_TIMEOUT_MS + DEFAULT_HEARTBEAT_INTERVAL_MS;

export function failoverSection(passes: Map<string, Run[]>): Section {
  const rows: string[][] = [];
  const goals: Section['goals'] = [];
  for (const [variant, runs] of passes) {
    for (const run of runs) {
      const r = resultOf(run);
      rows.push([
        `\`${variant}\``,
        r.kind === 'failover' ? 'kill -9 leader → standby runs the actors' : r.kind === 'hosted' ? 'kill -9 the node hosting the actors → leader restarts them' : 'baseline: kill -9 → same node restarted at once',
        String(r.actors),
        String(r.samples),
        `${fmtMs(r.total.p50)} / ${fmtMs(r.total.max)}`,
        `${fmtMs(r.detect.p50)} / ${fmtMs(r.detect.max)}`,
        `${fmtMs(r.takeover.p50)} / ${fmtMs(r.takeover.max)}`,
      ]);
      if (r.kind === 'hosted') {
        goals.push({
          text: `\`${variant}\`: every move within the documented bound, node timeout + one liveness check (${fmtMs(DETECTION_BOUND_MS)}) + restarting the actors: worst ${fmtMs(r.total.max)} = ${fmtMs(r.detect.max)} to see the node dead + ${fmtMs(r.takeover.max)} to restart`,
          met: r.detect.max <= DETECTION_BOUND_MS,
        });
      }
      if (r.kind === 'failover') {
        goals.push({
          text: `\`${variant}\`: every failover within the documented bound, lease ttl + one look (${fmtMs(DETECTION_BOUND_MS)}) + starting the actors: worst ${fmtMs(r.total.max)} = ${fmtMs(r.detect.max)} to take the lease + ${fmtMs(r.takeover.max)} to start`,
          met: r.detect.max <= DETECTION_BOUND_MS,
        });
      }
    }
  }
  return {
    title: 'Failover between the nodes of a site',
    intro:
      'From `kill -9` of a site\'s leader node to its actors running on the standby node of the same site (separate processes, one nats-server). ' +
      '*Detected* is kill → the standby holds the site lease (failure detection: the lease ttl, 5 s by default, plus up to one 1 s look); ' +
      '*running* is all actors started after that (mailbox consumer recreated, supervisors up, actors spawned). ' +
      'The baseline restarts the killed node at once under the same id (what `systemd Restart=always` does): it needs no detection, since a node takes its own lease back at once, but it pays for starting a process. ' +
      '`hosted-<n>`: the leader places <n> worker actors on a standby node and that node is killed; *detected* is the first actor ending with `CAIRN_NODE_LOST` (the node timeout, 5 s, plus up to one 1 s liveness check), *running* is all of them restarted on the leader. ' +
      'For the other rows *detected* is the standby holding the lease. Times are wall-clock across processes, p50 / max over the samples.',
    header: ['variant', 'what', 'actors', 'samples', 'kill → running', 'kill → detected', 'detected → running'],
    rows,
    goals,
    notes: [
      '`hosted-<n>` restarts its actors one after another (a supervisor handles one exit at a time, as OTP does), and each restart here starts a worker thread that loads its module through tsx (~0.6 s, the cost the restart benchmark measures for worker mode): 10 actors take ~6.5 s after the node is seen dead. Container or process guests would cost their own start each; inline actors restart in milliseconds.',
      'Failover time is the lease ttl by design: a standby must not take over a leader that is only slow. `leaseTtlMs` trades false takeovers for speed (see docs/sites.md). An actor placed on a standby node that dies is moved by the leader instead, after the same node timeout (test/multi-site/site-placement.test.ts).',
    ],
  };
}
