import { Spread } from './spread.ts';

/**
 * The instance id of a replica. Replica 0 is the bare actor id and replica n is `actor-n`, so
 * scaling 1 → 3 keeps the running instance's id (its mailbox and state) unchanged; one-per-site
 * replicas are `actor-<site>` so each site's instance keeps its id when other sites come and go.
 * Actor ids and site names are NATS tokens, so the result is one too (length is validated).
 */
export function instanceIdFor(actor: string, spread: Spread, replica: number, site?: string): string {
  if (spread === Spread.OnePerSite) return `${actor}-${site ?? ''}`;
  return replica === 0 ? actor : `${actor}-${replica}`;
}
