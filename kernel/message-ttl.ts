/**
 * When a message with a `Nats-TTL` header stops being worth handling: the time its stream stored it
 * plus its ttl. nats-server deletes it from the stream then; a node that already pulled it checks
 * this before handling it. Undefined without a ttl (or with "never", or one it cannot read).
 */
export function expiresAt(storedAtMs: number, ttlHeader: string | undefined): number | undefined {
  const seconds = ttlSeconds(ttlHeader);
  return seconds === undefined ? undefined : storedAtMs + seconds * 1_000;
}

/** Reads a Nats-TTL value as nats-server writes and takes it ("5s", "1m30s", "5"): whole seconds. */
export function ttlSeconds(header: string | undefined): number | undefined {
  if (header === undefined || header === '' || header.toLowerCase() === 'never') return undefined;
  if (/^\d+$/.test(header)) return Number(header) > 0 ? Number(header) : undefined;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  let rest = header;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(h|ms|m|s)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total >= 1 ? Math.floor(total) : undefined;
}
