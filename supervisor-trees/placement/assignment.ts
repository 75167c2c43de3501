/** One replica of one actor bound to one node. */
export interface Assignment {
  app: string;
  actor: string;
  /** 0-based. For `one-per-site`, the index of the site among the request's target sites. */
  replica: number;
  /** NATS-token-safe and stable; see instance-id.ts. Unique within an application. */
  instanceId: string;
  site: string;
  node: string;
}

/** Identity of an instance: an assignment with the same key is the same running thing. */
export function instanceKey(a: Pick<Assignment, 'app' | 'instanceId'>): string {
  return `${a.app}\u0000${a.instanceId}`;
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order used for every list placement returns: app, actor, replica, instance, node. */
export function compareAssignments(a: Assignment, b: Assignment): number {
  return (
    cmp(a.app, b.app) ||
    cmp(a.actor, b.actor) ||
    cmp(a.replica, b.replica) ||
    cmp(a.instanceId, b.instanceId) ||
    cmp(a.node, b.node) ||
    cmp(a.site, b.site)
  );
}

export function compareStrings(a: string, b: string): number {
  return cmp(a, b);
}
