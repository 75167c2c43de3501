import { describe, expect, it } from 'vitest';
import { pickSite, registrySites } from '../../client/site-of-server.ts';

describe('site of a server', () => {
  it('pickSite - the JetStream domain when its site has a node registry on the server', () => {
    expect(pickSite('cloud', ['KV_cairn_nodes_cloud', 'KV_cairn_nodes_edge1', 'CAIRN_MBX_cloud'])).toBe('cloud');
  });

  it('pickSite - else the only site with a registry there; several or none decide nothing', () => {
    expect(pickSite(undefined, ['KV_cairn_nodes_local', 'CAIRN_MBX_local'])).toBe('local');
    expect(pickSite('hub', ['KV_cairn_nodes_local'])).toBe('local');
    expect(pickSite(undefined, ['KV_cairn_nodes_a', 'KV_cairn_nodes_b'])).toBeUndefined();
    expect(pickSite('cloud', [])).toBeUndefined();
  });

  it('registrySites - the sites of the node registries among stream names, sorted', () => {
    expect(registrySites(['KV_cairn_nodes_b', 'KV_cairn_lease_a', 'KV_cairn_nodes_a', 'KV_cairn_nodes_'])).toEqual(['a', 'b']);
  });
});
