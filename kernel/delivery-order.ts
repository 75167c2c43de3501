// Pure readings of what a consumer hands out: whether deliveries came in order, and where a
// forwarded message came from.

/** Parses `Cairn-Origin: <stream> <sequence>`, or nats-server's `Nats-Stream-Source: <stream>:<config hash> <sequence> ...`. */
export function sourceOrigin(header: string | undefined): { stream: string; seq: number } | undefined {
  if (!header) return undefined;
  const [id, seqText] = header.split(' ');
  const seq = Number(seqText);
  if (!id || !Number.isSafeInteger(seq) || seq <= 0) return undefined;
  const colon = id.indexOf(':');
  return { stream: colon < 0 ? id : id.slice(0, colon), seq };
}

/**
 * Whether a consumer delivery numbered `next` follows the session's last one: the first of a
 * session always does; then each is the last plus one (redeliveries get new numbers too). Pure.
 */
export function deliveryFollows(last: number | undefined, next: number): boolean {
  return last === undefined || next === last + 1;
}
