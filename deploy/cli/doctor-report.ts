/** The outcome of one `cairn doctor` check. */
export interface CheckResult {
  readonly name: string;
  /** ok; warn: works, but something wants a look; fail: broken; skip: not checked (something it needs failed). */
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

/** One line per check (`ok    <name>  <detail>`), a `fix:` line under each warn and fail, and a summary. */
export function formatChecks(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.status.padEnd(5)} ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix && (r.status === 'warn' || r.status === 'fail')) lines.push(`${' '.repeat(6 + width)}  fix: ${r.fix}`);
  }
  const count = (s: CheckResult['status']): number => results.filter((r) => r.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed${count('skip') > 0 ? `, ${count('skip')} skipped` : ''}`);
  return lines;
}

/** 1 when a check failed, else 0 (warnings do not fail the command). */
export function doctorExitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/**
 * How far each other site's clock is from this machine's (ms): + ahead, - behind; only beyond
 * `toleranceMs`, worst first. Read from the newest heartbeat this site holds of each site whose
 * link answers: it was written at most one heartbeat interval ago (plus the link's delay), so a
 * `lastSeen` in the future is a clock ahead, and one older than its interval a clock behind (or
 * heartbeats held up on the way). Pure.
 */
export function siteClockSkews(records: readonly { readonly site: string; readonly lastSeen: number; readonly heartbeatMs: number }[], now: number, toleranceMs: number): { readonly site: string; readonly skewMs: number }[] {
  const newest = new Map<string, { lastSeen: number; heartbeatMs: number }>();
  for (const r of records) if ((newest.get(r.site)?.lastSeen ?? -Infinity) < r.lastSeen) newest.set(r.site, r);
  return [...newest]
    .map(([site, r]) => {
      const age = now - r.lastSeen;
      return { site, skewMs: age < 0 ? -age : age > r.heartbeatMs ? -(age - r.heartbeatMs) : 0 };
    })
    .filter((s) => Math.abs(s.skewMs) > toleranceMs)
    .sort((a, b) => Math.abs(b.skewMs) - Math.abs(a.skewMs));
}

/** What a node's clock says against its server's (ms): + ahead, - behind. Worst first, only beyond `toleranceMs`. */
export function clockSkews(nodes: readonly { readonly id: string; readonly site: string; readonly lastSeen: number; readonly storedAt: number }[], toleranceMs: number): { readonly id: string; readonly site: string; readonly skewMs: number }[] {
  return nodes
    .map((n) => ({ id: n.id, site: n.site, skewMs: n.lastSeen - n.storedAt }))
    .filter((n) => Math.abs(n.skewMs) > toleranceMs)
    .sort((a, b) => Math.abs(b.skewMs) - Math.abs(a.skewMs));
}
