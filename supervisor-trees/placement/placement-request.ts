import type { Spread } from './spread.ts';
import type { Resources } from './resources.ts';

/** What one actor of one application wants: how many, where, how spread, how big. */
export interface PlacementRequest {
  app: string;
  actor: string;
  /** Ignored when `spread` is `one-per-site`: that spread places one replica per target site. */
  replicas: number;
  /** Only nodes of these sites are eligible; all sites when absent. */
  sites?: string[];
  /** Every label here must be present with the same value on the node. */
  nodeSelector?: Record<string, string>;
  spread: Spread;
  /** Per replica. */
  resources: Resources;
}

export function requestKey(r: Pick<PlacementRequest, 'app' | 'actor'>): string {
  return `${r.app}\u0000${r.actor}`;
}
