import type { JetStreamManager } from '@nats-io/jetstream';
import { Buckets } from '../protocols/index.ts';

const REGISTRY_STREAM_PREFIX = `KV_${Buckets.nodes('')}`;

/**
 * The site a server belongs to, from its JetStream domain (a generated site's server is its own
 * domain) and the node registries it holds (`KV_cairn_nodes_<site>`): the domain when its site has
 * a registry there, else the only site that has one; undefined when that does not decide it. Pure.
 */
export function pickSite(domain: string | undefined, streamNames: readonly string[]): string | undefined {
  const sites = registrySites(streamNames);
  if (domain !== undefined && sites.includes(domain)) return domain;
  return sites.length === 1 ? sites[0] : undefined;
}

/** The sites whose node registry is among these stream names, sorted. */
export function registrySites(streamNames: readonly string[]): string[] {
  return streamNames.filter((n) => n.startsWith(REGISTRY_STREAM_PREFIX) && n.length > REGISTRY_STREAM_PREFIX.length).map((n) => n.slice(REGISTRY_STREAM_PREFIX.length)).sort();
}

/** Every stream name of the server's JetStream (its own domain). */
export async function streamNames(jsm: JetStreamManager): Promise<string[]> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  return names;
}

/** The site of the server `jsm` talks to (see pickSite); undefined when it cannot tell or the server will not say. */
export async function siteOfServer(jsm: JetStreamManager): Promise<string | undefined> {
  try {
    const [account, names] = await Promise.all([jsm.getAccountInfo(), streamNames(jsm)]);
    return pickSite(account.domain, names);
  } catch {
    return undefined;
  }
}
